package dev.millrace.event;

import dev.millrace.Millrace;
import dev.millrace.TenantId;
import dev.millrace.internal.store.sql.Tables;
import dev.millrace.testing.DatabaseTest;
import dev.millrace.testing.Db;
import dev.millrace.testing.TestDatabase;
import org.junit.jupiter.api.Test;
import org.postgresql.PGConnection;
import org.postgresql.PGNotification;

import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/**
 * How nodes hear of events published elsewhere, on PostgreSQL: a NOTIFY on their schema's own event channel, so the
 * nodes of one schema wake at once and two installations in two schemas of one database never wake each other.
 */
class EventWakeupTest extends DatabaseTest {
    static final TenantId ACME = TenantId.of("acme");
    /** So long that only a notification can deliver within the test's patience. */
    static final Duration SLOW_POLL = Duration.ofSeconds(60);
    static final ChannelDefinition AUDIT = ChannelDefinition.named("Audit")
            .field("message", FieldType.STRING, true).withBehavior(PublishBehavior.IMMEDIATE);
    static final List<String> HANDLED = new CopyOnWriteArrayList<>();

    /** Records each event's message. */
    public static final class Recorder implements EventHandler {
        @Override
        public void handle(List<EventRecord> events, DeliveryContext context) {
            for (EventRecord e : events) HANDLED.add(e.getString("message"));
        }
    }

    @Test
    void aPublishNotifiesTheNodesOfItsSchemaAndNotThoseOfAnother() throws SQLException {
        String schema = database(Db.POSTGRES).schema();
        String other = schema + "_other";
        // Listening as a node of each schema would (its application_name tells publishers that someone listens),
        // before the publisher looks whether anyone does.
        try (Connection mine = listen(Tables.in(schema).eventChannel());
             Connection theirs = listen(Tables.in(other).eventChannel())) {
            Millrace publisher = node(builder(Db.POSTGRES));
            publisher.tenants().create(ACME);
            publisher.events().declare(ACME, AUDIT);
            publisher.events().publish(ACME, List.of(Event.on("Audit").with("message", "hello")));
            assertThat(heard(mine, 5_000)).as("a listener of the publisher's schema").isNotEmpty();
            assertThat(heard(theirs, 300)).as("a listener of another schema").isEmpty();
        }
    }

    @Test
    void aPublishOnOneNodeIsDeliveredAtOnceByAnotherNodeOfItsSchema() {
        HANDLED.clear();
        Millrace receiver = started(builder(Db.POSTGRES).pollInterval(SLOW_POLL).registerHandler(Recorder.class));
        receiver.tenants().create(ACME);
        receiver.events().declare(ACME, AUDIT);
        receiver.events().subscribe(ACME, Subscription.of("record", "Audit", Recorder.class));
        Millrace publisher = node(builder(Db.POSTGRES));
        publisher.events().publish(ACME, List.of(Event.on("Audit").with("message", "from afar")));
        await().atMost(Duration.ofSeconds(10)).until(() -> HANDLED.contains("from afar"));
    }

    /** A connection listening on the channel, named as a Millrace listener of it. */
    private Connection listen(String channel) throws SQLException {
        Connection c = DriverManager.getConnection(TestDatabase.PG_URL, TestDatabase.PG_USER, "");
        try (Statement s = c.createStatement()) {
            s.execute("LISTEN \"" + channel + "\"");
            s.execute("SET application_name = 'millrace-listener:" + channel + "'");
        }
        return c;
    }

    /** The notifications heard until none arrives within {@code quietMs} (a blocking read, not a sleep). */
    private static List<PGNotification> heard(Connection listening, int quietMs) throws SQLException {
        List<PGNotification> out = new ArrayList<>();
        PGConnection pg = listening.unwrap(PGConnection.class);
        for (PGNotification[] got = pg.getNotifications(quietMs); got != null && got.length > 0;
             got = pg.getNotifications(300)) {
            out.addAll(List.of(got));
        }
        return out;
    }
}
