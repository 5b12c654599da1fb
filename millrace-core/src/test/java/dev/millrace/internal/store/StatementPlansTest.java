package dev.millrace.internal.store;

import com.fasterxml.jackson.databind.JsonNode;
import dev.millrace.Millrace;
import dev.millrace.QueueableContext;
import dev.millrace.TenantId;
import dev.millrace.apikey.IssuedApiKey;
import dev.millrace.cursor.Cursor;
import dev.millrace.cursor.CursorPolicy;
import dev.millrace.cursor.CursorRow;
import dev.millrace.event.ChannelDefinition;
import dev.millrace.event.DeliveryContext;
import dev.millrace.event.Event;
import dev.millrace.event.EventHandler;
import dev.millrace.event.EventReader;
import dev.millrace.event.EventRecord;
import dev.millrace.event.FieldType;
import dev.millrace.event.PublishResult;
import dev.millrace.event.ReplayFrom;
import dev.millrace.event.ResumeFrom;
import dev.millrace.event.RetryableException;
import dev.millrace.event.Subscription;
import dev.millrace.schedule.Schedulable;
import dev.millrace.schedule.ScheduleContext;
import dev.millrace.schedule.ScheduleId;
import dev.millrace.schedule.ScheduleState;
import dev.millrace.step.CursorStep;
import dev.millrace.step.Step;
import dev.millrace.step.StepWorkflow;
import dev.millrace.testing.DatabaseTest;
import dev.millrace.testing.Db;
import dev.millrace.testing.MutableClock;
import dev.millrace.testing.TestDatabase;
import org.junit.jupiter.api.Test;

import java.sql.Connection;
import java.sql.Statement;
import java.time.Duration;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The statements of events, schedules, step workflows and cursors, flags, tenants, api keys, fair dispatch and
 * monitoring reach their rows by key, whatever the statistics say. A realistic flow of each feature runs for one
 * tenant on tables that also hold thousands of rows of other tenants (a big one with many channels and
 * subscriptions, and thousands of small ones), analysed, so the statistics know nothing of the flow's rows; every
 * statement the flow sent is then explained with the same parameters, with its custom and with its generic plan.
 * The test fails, naming the statement, on:
 * <ul>
 *   <li>a nested loop whose join filter matches ids: one side is read again in full for each row of the other,
 *   quadratic in the rows (the rule of {@link JobsFoundByKeyTest});</li>
 *   <li>a sequential scan of a table holding ballast rows whose filter names a key column (a tenant, channel,
 *   subscription, cursor, job or row id): the statement asks for rows an index could reach, yet reads every other
 *   tenant's too;</li>
 *   <li>a join one of whose inputs reads a table holding ballast rows whole (a sequential scan, or a walk of an
 *   index without a condition, as a merge join does): the rows the statement relates are few, the table's are
 *   every tenant's.</li>
 * </ul>
 * A scan outside a join and without a key in its filter is a statement about the whole table (a census of all
 * tenants, the list of every tenant) and is left alone. Inserts of values alone and DDL are not explained.
 */
class StatementPlansTest extends DatabaseTest {
    static final TenantId ACME = TenantId.of("acme");
    static final String CHANNEL = "OrderPlaced";
    /** Rows of a table's big tenant (or channel) the flow never touches. */
    static final int BALLAST = 20_000;
    /** Other tenants, for tables with a row or a few per tenant. */
    static final int TENANTS = 5_000;
    /** The tables given ballast rows: a sequential scan of one that filters on a key is flagged. */
    static final Set<String> BALLASTED = Set.of("mr_tenant", "mr_job", "mr_job_log", "mr_schedule",
            "mr_channel", "mr_event", "mr_subscription", "mr_subscription_partition", "mr_event_usage",
            "mr_event_policy", "mr_cursor", "mr_cursor_page", "mr_cursor_usage", "mr_cursor_policy", "mr_flag",
            "mr_flag_change", "mr_fair_lane", "mr_usage_hour", "mr_api_key");
    static final AtomicInteger HANDLED = new AtomicInteger();
    static final AtomicInteger FLAKY_CALLS = new AtomicInteger();
    static final AtomicLong SUM = new AtomicLong();
    static volatile String numbers;

    /** Counts what it handles. */
    public static final class Counting implements EventHandler {
        @Override
        public void handle(List<EventRecord> events, DeliveryContext context) {
            HANDLED.addAndGet(events.size());
        }
    }

    /** Fails its first delivery retryably, then handles. */
    public static final class Flaky implements EventHandler {
        @Override
        public void handle(List<EventRecord> events, DeliveryContext context) throws Exception {
            if (FLAKY_CALLS.getAndIncrement() == 0) throw new RetryableException("downstream unavailable");
        }
    }

    /** Fails every delivery otherwise than retryably, so its subscription is suspended. */
    public static final class Broken implements EventHandler {
        @Override
        public void handle(List<EventRecord> events, DeliveryContext context) {
            throw new IllegalStateException("bad data");
        }
    }

    /** Does nothing when fired. */
    public static class Tick implements Schedulable {
        @Override
        public void execute(ScheduleContext context) {
        }
    }

    /** Runs twice. */
    public static class Twice implements Step {
        int runs;

        @Override
        public void execute(QueueableContext context) {
            runs++;
        }

        @Override
        public boolean shouldRestart() {
            return runs < 2;
        }
    }

    /** Sums a table's ids through a cursor, a chunk per execution. */
    public static class SumIds extends CursorStep {
        @Override
        protected Cursor openCursor(QueueableContext context) {
            return context.cursor("SELECT id FROM " + numbers + " ORDER BY id");
        }

        @Override
        protected void execute(List<CursorRow> rows, QueueableContext context) {
            for (CursorRow r : rows) SUM.addAndGet(r.getLong("id"));
        }

        @Override
        protected int chunkSize() {
            return 100;
        }
    }

    @Test
    void theFlowsOfEveryFeatureReachTheirRowsByKey() throws Exception {
        TestDatabase d = database(Db.POSTGRES);
        MutableClock clock = MutableClock.now();
        HANDLED.set(0);
        FLAKY_CALLS.set(0);
        SUM.set(0);
        numbers = "\"" + d.schema() + "\".numbers";
        Recorder recorder = new Recorder(d.dataSource());
        try (Millrace m = Millrace.builder().dataSource(recorder.dataSource()).schema(d.schema()).clock(clock)
                .workers(2).register(Tick.class)
                .registerHandler(Counting.class).registerHandler(Flaky.class).registerHandler(Broken.class).build()) {
            // The tenant and a channel come first: ballast rows copy their policy and definition. That channel goes
            // again, and the flow's channels are new (their ids above every other's) and unknown to the statistics.
            d.execute("DROP TABLE IF EXISTS " + numbers);
            d.execute("CREATE TABLE " + numbers + " (id BIGINT PRIMARY KEY)");
            d.execute("INSERT INTO " + numbers + " SELECT x FROM generate_series(1, 250) AS s(x)");
            m.tenants().create(ACME);
            m.events().declare(ACME, orders("Seed"));
            ballast(d);
            recorder.clear();
            runFlow(m, clock);
        }
        List<Recorder.Sent> sent = recorder.all();
        assertThat(sent).as("statements of the flow").hasSizeGreaterThan(100);
        List<String> found;
        try (Connection c = d.dataSource().getConnection()) {
            found = Plans.findings(c, sent, StatementPlansTest::unkeyed);
        }
        assertThat(found).as("statements that read other tenants' rows or reread a side of a join").isEmpty();
    }

    /**
     * Subscriptions reach their channel by its key even when the statistics say every subscription hangs on one old
     * channel (they were gathered before the tenant's channels and subscriptions existed): as a join, PostgreSQL then
     * merged a tenant's subscriptions with a walk of every tenant's channels, expecting to stop after the first few.
     * Only that walk is looked for here: these statistics rightly make a read of the subscriptions themselves cheap.
     */
    @Test
    void subscriptionsReachTheirChannelByKeyWhenStatisticsPlaceThemOnOldChannels() throws Exception {
        TestDatabase d = database(Db.POSTGRES);
        MutableClock clock = MutableClock.now();
        HANDLED.set(0);
        Recorder recorder = new Recorder(d.dataSource());
        try (Millrace m = Millrace.builder().dataSource(recorder.dataSource()).schema(d.schema()).clock(clock)
                .registerHandler(Counting.class).registerHandler(Broken.class).build()) {
            m.tenants().create(ACME);
            m.events().declare(ACME, orders("Seed"));
            String s = "\"" + d.schema() + "\".";
            try (Connection c = d.dataSource().getConnection(); Statement st = c.createStatement()) {
                st.execute("INSERT INTO " + s + "mr_channel (tenant_id, name, definition, created_at, updated_at)"
                        + " SELECT 'ballast', 'c-' || x, definition, now(), now() FROM " + s + "mr_channel,"
                        + " generate_series(1, " + TENANTS + ") AS g(x) WHERE tenant_id = 'acme'");
                st.execute("INSERT INTO " + s + "mr_subscription (tenant_id, name, channel_id, handler_class, batch_size,"
                        + " partitions, created_at) SELECT 'ballast', 's-' || x, (SELECT id FROM " + s + "mr_channel"
                        + " WHERE tenant_id = 'ballast' AND name = 'c-1'), 'x.Handler', 100, 1, now()"
                        + " FROM generate_series(1, " + BALLAST + ") AS g(x)");
                st.execute("INSERT INTO " + s + "mr_subscription_partition (subscription_id, partition_no, checkpoint,"
                        + " state, next_attempt_at) SELECT id, 0, 0, 'ACTIVE', now() FROM " + s + "mr_subscription");
                st.execute("DELETE FROM " + s + "mr_channel WHERE tenant_id = 'acme'");
                for (String table : List.of("mr_channel", "mr_subscription", "mr_subscription_partition")) {
                    st.execute("ANALYZE " + s + table);
                }
            }
            recorder.clear();
            m.events().declare(ACME, orders(CHANNEL));
            m.events().subscribe(ACME, Subscription.of("count", CHANNEL, Counting.class));
            m.events().subscribe(ACME, Subscription.of("broken", CHANNEL, Broken.class));
            assertThat(m.events().publish(ACME, List.of(Event.on(CHANNEL).with("orderId", "o").with("customerId", "c"))))
                    .allMatch(PublishResult::isSuccess);
            m.events().deliverNow(ACME);
            assertThat(HANDLED.get()).isEqualTo(1);
            assertThat(m.events().status(ACME, "count").get(0).checkpoint()).isEqualTo(1);
            m.events().resume(ACME, "broken", ResumeFrom.TIP);
        }
        List<String> found;
        try (Connection c = d.dataSource().getConnection()) {
            found = Plans.findings(c, recorder.all(), node -> {
                if (!node.path("Node Type").asText().matches("Nested Loop|Hash Join|Merge Join")) return null;
                for (JsonNode input : node.path("Plans")) {
                    String whole = wholeTable(input);
                    if (whole != null && whole.startsWith("mr_channel ")) return "a join that reads every row of " + whole;
                }
                return null;
            });
        }
        assertThat(found).as("statements that read every channel to find a subscription's").isEmpty();
    }

    /** Why a plan node reads more than the statement's rows, or null. */
    private static String unkeyed(JsonNode node) {
        String relation = node.path("Relation Name").asText("");
        String filter = node.path("Filter").asText("");
        if (node.path("Node Type").asText().equals("Seq Scan") && BALLASTED.contains(relation)
                && filter.matches("(?s).*\\b(\\w+_)?id\\b.*")) {
            return "a sequential scan of " + relation + " (" + filter + ")";
        }
        if (node.path("Node Type").asText().matches("Nested Loop|Hash Join|Merge Join")) {
            for (JsonNode input : node.path("Plans")) {
                String whole = wholeTable(input);
                if (whole != null) return "a join that reads every row of " + whole;
            }
        }
        return Plans.joinMatchingIds(node);
    }

    /** The ballasted table a join input reads whole (scanned, or its index walked without a condition), or null. */
    private static String wholeTable(JsonNode input) {
        String type = input.path("Node Type").asText();
        if (type.matches("Hash|Sort|Materialize|Memoize")) return wholeTable(input.path("Plans").path(0));
        String relation = input.path("Relation Name").asText("");
        if (!BALLASTED.contains(relation)) return null;
        if (type.equals("Seq Scan")) return relation + " (" + input.path("Filter").asText("no filter") + ")";
        if (type.matches("Index Scan|Index Only Scan") && !input.has("Index Cond")) {
            return relation + " (its index " + input.path("Index Name").asText() + " walked whole)";
        }
        return null;
    }

    private static ChannelDefinition orders(String name) {
        return ChannelDefinition.named(name).field("orderId", FieldType.ID, true).field("customerId", FieldType.ID, true);
    }

    /** Tenants, events, subscriptions, schedules, cursors, flags, keys, lanes and usage of others, analysed. */
    private static void ballast(TestDatabase d) throws Exception {
        String s = "\"" + d.schema() + "\".";
        String n = " FROM generate_series(1, " + BALLAST + ") AS g(x)";
        String t = " FROM generate_series(1, " + TENANTS + ") AS g(x)";
        try (Connection c = d.dataSource().getConnection(); Statement st = c.createStatement()) {
            st.execute("INSERT INTO " + s + "mr_tenant (tenant_id, policy, created_at, updated_at)"
                    + " SELECT 'b-' || x, (SELECT policy FROM " + s + "mr_tenant WHERE tenant_id = 'acme'), now(), now()" + t);
            st.execute("INSERT INTO " + s + "mr_job (id, tenant_id, job_type, class_name, status, created_at, run_at,"
                    + " completed_at, payload) SELECT gen_random_uuid(), 'ballast', 'QUEUEABLE', 'x.Done', 'COMPLETED',"
                    + " now(), now(), now(), '{}'" + n);
            st.execute("INSERT INTO " + s + "mr_job_log (job_id, tenant_id, logged_at, level, message, transaction_id)"
                    + " SELECT id, tenant_id, now(), 'INFO', 'ran', 'tx' FROM " + s + "mr_job WHERE tenant_id = 'ballast'");
            // A big tenant with many channels (the first holds all the events) and four subscriptions a channel;
            // other tenants with a channel and a subscription each.
            String definition = "(SELECT definition FROM " + s + "mr_channel WHERE tenant_id = 'acme')";
            st.execute("INSERT INTO " + s + "mr_channel (tenant_id, name, definition, last_replay_id, created_at,"
                    + " updated_at) SELECT 'ballast', 'c-' || x, " + definition + ", CASE WHEN x = 1 THEN " + BALLAST
                    + " ELSE 0 END, now(), now()" + t);
            st.execute("INSERT INTO " + s + "mr_channel (tenant_id, name, definition, created_at, updated_at)"
                    + " SELECT 'b-' || x, 'c', " + definition + ", now(), now()" + t);
            st.execute("INSERT INTO " + s + "mr_event (channel_id, replay_id, event_uuid, published_at, payload)"
                    + " SELECT (SELECT id FROM " + s + "mr_channel WHERE tenant_id = 'ballast' AND name = 'c-1'), x,"
                    + " gen_random_uuid(), now(), '{}'" + n);
            st.execute("INSERT INTO " + s + "mr_subscription (tenant_id, name, channel_id, handler_class, batch_size,"
                    + " partitions, created_at) SELECT c.tenant_id, 's-' || c.id || '-' || x, c.id, '"
                    + Counting.class.getName() + "', 100, 1, now() FROM " + s + "mr_channel c, generate_series(1, 4)"
                    + " AS g(x) WHERE c.tenant_id = 'ballast' OR x = 1");
            st.execute("INSERT INTO " + s + "mr_subscription_partition (subscription_id, partition_no, checkpoint,"
                    + " state, next_attempt_at) SELECT s.id, 0, c.last_replay_id, 'ACTIVE', now() + interval '10 years'"
                    + " FROM " + s + "mr_subscription s JOIN " + s + "mr_channel c ON c.id = s.channel_id");
            st.execute("INSERT INTO " + s + "mr_event_usage (tenant_id, hour_start, published)"
                    + " SELECT 'b-' || x, date_trunc('hour', now()), 1" + t);
            st.execute("INSERT INTO " + s + "mr_event_policy (tenant_id, policy, updated_at)"
                    + " SELECT 'b-' || x, '{}', now()" + t);
            st.execute("INSERT INTO " + s + "mr_schedule (id, tenant_id, name, cron, zone, class_name, payload, state,"
                    + " misfire_policy, allow_overlap, next_fire_at, created_at, updated_at) SELECT gen_random_uuid(),"
                    + " 'ballast', 'sch-' || x, '0 0 * * * ?', 'UTC', '" + Tick.class.getName() + "', '{}', 'ACTIVE',"
                    + " 'SKIP', false, now() + interval '10 years', now(), now()" + n);
            st.execute("INSERT INTO " + s + "mr_cursor (id, tenant_id, source, columns, page_size, num_records,"
                    + " created_at, expires_at) SELECT gen_random_uuid(), 'ballast', 'x', '[]', 100, 400, now(),"
                    + " now() + interval '10 years'" + t);
            st.execute("INSERT INTO " + s + "mr_cursor_page (cursor_id, page_no, row_count, data)"
                    + " SELECT id, p, 100, '[]' FROM " + s + "mr_cursor, generate_series(0, 3) AS p");
            st.execute("INSERT INTO " + s + "mr_cursor_usage (tenant_id, hour_start, cursors_opened, rows_fetched)"
                    + " SELECT 'b-' || x, date_trunc('hour', now()), 1, 1" + t);
            st.execute("INSERT INTO " + s + "mr_cursor_policy (tenant_id, policy, updated_at)"
                    + " SELECT 'b-' || x, '{}', now()" + t);
            st.execute("INSERT INTO " + s + "mr_flag (tenant_id, name, enabled, updated_at)"
                    + " SELECT 'ballast', 'f-' || x, true, now()" + n);
            st.execute("INSERT INTO " + s + "mr_flag_change (tenant_id, name, old_enabled, new_enabled, changed_by,"
                    + " changed_at) SELECT 'ballast', 'f-' || x, null, true, 'seed', now()" + n);
            st.execute("INSERT INTO " + s + "mr_fair_lane (tenant_id, job_type, tokens, refilled_at)"
                    + " SELECT 'b-' || x, 'QUEUEABLE', 1, now()" + t);
            st.execute("INSERT INTO " + s + "mr_usage_hour (tenant_id, hour_start, node, executions)"
                    + " SELECT 'b-' || (x % " + TENANTS + "), date_trunc('hour', now()) - x * interval '1 hour', 'n',"
                    + " 1" + n);
            st.execute("INSERT INTO " + s + "mr_api_key (id, tenant_id, label, secret_hash, created_at)"
                    + " SELECT 'k' || x, 'b-' || x, 'ballast', md5(x::text), now()" + t);
            st.execute("DELETE FROM " + s + "mr_channel WHERE tenant_id = 'acme'");
            for (String table : BALLASTED) st.execute("ANALYZE " + s + table);
        }
    }

    /** Tenants, events, schedules, step workflows with a cursor, flags, api keys, fair shares and monitoring. */
    private static void runFlow(Millrace m, MutableClock clock) throws Exception {
        assertThat(m.tenants().policy(ACME)).isPresent();
        m.tenants().usage(ACME);
        m.cursors().putPolicy(ACME, CursorPolicy.DEFAULTS.withLifetimeHours(24));
        assertThat(m.cursors().policy(ACME).lifetimeHours()).isEqualTo(24);

        // Events: declare, subscribe, publish, deliver (with a retry and a suspension), replay, resume, unsubscribe.
        m.events().putPolicy(ACME, m.events().policy(ACME).withRetries(3, false));
        m.events().declare(ACME, orders(CHANNEL));
        m.events().declare(ACME, orders("OrderShipped"));
        assertThat(m.events().channel(ACME, CHANNEL)).isPresent();
        assertThat(m.events().channels(ACME)).hasSize(2);
        m.events().subscribe(ACME, Subscription.of("count", CHANNEL, Counting.class).withBatchSize(2));
        m.events().subscribe(ACME, Subscription.of("parts", CHANNEL, Counting.class).withPartitions(2, "customerId"));
        m.events().subscribe(ACME, Subscription.of("flaky", CHANNEL, Flaky.class));
        m.events().subscribe(ACME, Subscription.of("broken", CHANNEL, Broken.class));
        List<Event> events = new ArrayList<>();
        for (int i = 0; i < 5; i++) events.add(Event.on(CHANNEL).with("orderId", "o-" + i).with("customerId", "c" + i));
        assertThat(m.events().publish(ACME, events)).allMatch(PublishResult::isSuccess);
        m.events().deliverNow(ACME);
        clock.advance(Duration.ofMinutes(5));
        m.events().deliverNow(ACME);
        assertThat(HANDLED.get()).isEqualTo(10);
        assertThat(FLAKY_CALLS.get()).isGreaterThanOrEqualTo(2);
        assertThat(m.events().status(ACME, "count").get(0).checkpoint()).isEqualTo(5);
        assertThat(m.events().subscriptions(ACME)).hasSizeGreaterThanOrEqualTo(4);
        try (EventReader reader = m.events().reader(ACME, CHANNEL, ReplayFrom.earliest())) {
            assertThat(reader.poll(10, Duration.ZERO)).hasSize(5);
        }
        try (EventReader reader = m.events().externalReader(ACME, CHANNEL, ReplayFrom.after(2))) {
            assertThat(reader.poll(10, Duration.ZERO)).hasSize(3);
        }
        m.events().resume(ACME, "broken", ResumeFrom.TIP);
        m.events().resume(ACME, "count", ResumeFrom.CHECKPOINT);
        assertThat(m.events().unsubscribe(ACME, "broken")).isTrue();

        // Schedules: create, fire, run the fired job, pause, resume, change, run now, delete.
        ScheduleId id = m.schedule(ACME, "minutely", "0 * * * * ?", new Tick(), ZoneOffset.UTC);
        clock.advance(Duration.ofMinutes(2));
        assertThat(m.fireDueSchedules()).isGreaterThanOrEqualTo(1);
        m.runReadyJobs(ACME, 10);
        assertThat(m.schedules().find(ACME, id)).isPresent();
        assertThat(m.schedules().findByName(ACME, "minutely")).isPresent();
        assertThat(m.schedules().list(ACME)).hasSize(1);
        assertThat(m.schedules().pause(ACME, id).state()).isEqualTo(ScheduleState.PAUSED);
        assertThat(m.schedules().resume(ACME, id).state()).isEqualTo(ScheduleState.WAITING);
        m.schedules().changeCron(ACME, id, "0 */5 * * * ?");
        m.schedules().runNow(ACME, id);
        m.runReadyJobs(ACME, 10);
        assertThat(m.schedules().nextFireTimes(ACME, id, 3)).hasSize(3);
        m.schedules().delete(ACME, id);

        // A step workflow whose second step walks a cursor.
        assertThat(StepWorkflow.of("wf", new Twice(), new SumIds()).kickoff(m, ACME)).isPresent();
        m.runReadyJobs(ACME, 100);
        assertThat(SUM.get()).isEqualTo(250L * 251 / 2);

        // Flags, api keys, fair shares, status and monitoring as the server reads them.
        m.flags().set(ACME, "gate", true);
        m.flags().set(ACME, "gate", false, "ops");
        assertThat(m.flags().isEnabled(ACME, "gate")).isFalse();
        assertThat(m.flags().list(ACME)).containsKey("gate");
        assertThat(m.flags().history(ACME, "gate")).hasSize(2);
        IssuedApiKey key = m.apiKeys().issue(ACME, "ci");
        assertThat(m.apiKeys().list(ACME)).hasSize(1);
        assertThat(m.apiKeys().authenticate(key.secret())).isPresent();
        assertThat(m.apiKeys().revoke(ACME, key.key().id())).isTrue();
        m.fairShares();
        m.status();
        m.monitoring().census();
        m.monitoring().endedPerMinute(ACME, clock.instant().minus(Duration.ofHours(1)), clock.instant());
        m.monitoring().endedOnNode(m.nodeId(), clock.instant().minus(Duration.ofHours(1)), clock.instant(), 100);
        m.monitoring().leaseRescues();
        m.monitoring().checkStore();
    }
}
