package dev.millrace.event;

import dev.millrace.Millrace;
import dev.millrace.TenantId;
import dev.millrace.testing.DatabaseTest;
import dev.millrace.testing.Db;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;

/** Listing a tenant's channels and the status of all its subscriptions, scoped to the tenant. */
class EventListingTest extends DatabaseTest {
    static final TenantId ACME = TenantId.of("acme");
    static final TenantId GLOBEX = TenantId.of("globex");

    /** A handler that accepts everything. */
    public static class Ignore implements EventHandler {
        @Override
        public void handle(List<EventRecord> events, DeliveryContext context) {
        }
    }

    @ParameterizedTest
    @EnumSource(Db.class)
    void channelsAndSubscriptionsAreListedByNameForTheirTenantOnly(Db db) {
        Millrace m = node(builder(db).registerHandler(Ignore.class));
        m.tenants().create(ACME);
        m.tenants().create(GLOBEX);
        m.events().declare(ACME, ChannelDefinition.named("Shipped").field("orderId", FieldType.ID, true));
        m.events().declare(ACME, ChannelDefinition.named("OrderPlaced"));
        m.events().declare(GLOBEX, ChannelDefinition.named("Invoiced"));
        m.events().subscribe(ACME, Subscription.of("ship", "Shipped", Ignore.class).withPartitions(2, "orderId")
                .startingFrom(ReplayFrom.earliest()));
        m.events().subscribe(ACME, Subscription.of("audit", "OrderPlaced", Ignore.class));
        m.events().subscribe(GLOBEX, Subscription.of("books", "Invoiced", Ignore.class));
        m.events().publish(ACME, List.of(Event.on("Shipped").with("orderId", "o-1")));

        assertThat(m.events().channels(ACME)).extracting(ChannelDefinition::name).containsExactly("OrderPlaced", "Shipped");
        assertThat(m.events().channels(ACME).get(1).fields()).hasSize(1);
        List<SubscriptionStatus> subs = m.events().subscriptions(ACME);
        assertThat(subs).extracting(SubscriptionStatus::subscription).containsExactly("audit", "ship", "ship");
        assertThat(subs).extracting(SubscriptionStatus::partition).containsExactly(0, 0, 1);
        assertThat(subs.get(1).lag()).isEqualTo(1);
        assertThat(m.events().subscriptions(GLOBEX)).extracting(SubscriptionStatus::channel).containsExactly("Invoiced");
        assertThat(m.events().channels(TenantId.of("nobody"))).isEmpty();
    }
}
