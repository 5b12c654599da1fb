package dev.millrace.event;

import dev.millrace.Millrace;
import dev.millrace.TenantId;
import dev.millrace.flags.FeatureFlags;
import dev.millrace.flags.FlagChange;
import dev.millrace.testing.DatabaseTest;
import dev.millrace.testing.Db;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;
import org.slf4j.MDC;

import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicReference;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/**
 * Handlers run as their subscription's configured identity, not the publisher (SPEC EVT-9): in the delivery
 * context, in the MDC, in the subscription's status and as the author of flag switches made during the delivery.
 */
class RunAsTest extends DatabaseTest {
    static final TenantId ACME = TenantId.of("acme");
    static final Map<String, String> SEEN = new ConcurrentHashMap<>();
    static final AtomicReference<Millrace> NODE = new AtomicReference<>();

    /** Records what it runs as (context and MDC) and switches the flag named after its subscription on. */
    public static final class Switching implements EventHandler {
        @Override
        public void handle(List<EventRecord> events, DeliveryContext context) {
            String s = context.subscription();
            SEEN.put(s + ".runAs", context.runAs());
            SEEN.put(s + ".mdc.runAs", String.valueOf(MDC.get("millrace.runAs")));
            SEEN.put(s + ".mdc.subscription", String.valueOf(MDC.get("millrace.subscription")));
            SEEN.put(s + ".mdc.tenant", String.valueOf(MDC.get("millrace.tenant")));
            NODE.get().flags().set(context.tenant(), "flag-" + s, true);
            NODE.get().flags().set(context.tenant(), "explicit-" + s, true, "ops-console");
        }
    }

    private Millrace node(Db db, String id) {
        Millrace m = node(builder(db).nodeId(id).registerHandler(Switching.class));
        m.tenants().create(ACME);
        m.events().declare(ACME, EventPolicyTest.ORDERS);
        return m;
    }

    @Test
    void anIdentityThatIsBlankTooLongOrHasControlCharactersIsRefusedSayingWhy() {
        Subscription s = Subscription.of("billing", "OrderPlaced", Switching.class);
        assertThat(s.runAs()).isEqualTo(Subscription.DEFAULT_RUN_AS).isEqualTo("automated-process");
        assertThat(s.withRunAs("billing-bot").withBatchSize(10).runAs()).as("kept by other copies")
                .isEqualTo("billing-bot");
        assertThatThrownBy(() -> s.withRunAs(" ")).isInstanceOf(IllegalArgumentException.class)
                .hasMessage("runAs ' ' is invalid: expected 1 to 200 characters, not blank");
        assertThatThrownBy(() -> s.withRunAs(null)).isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("runAs 'null' is invalid");
        assertThatThrownBy(() -> s.withRunAs("x".repeat(201))).isInstanceOf(IllegalArgumentException.class)
                .hasMessage("runAs is 201 characters long: expected 1 to 200 characters, not blank");
        assertThat(s.withRunAs("x".repeat(200)).runAs()).hasSize(200);
        assertThatThrownBy(() -> s.withRunAs("bot\nINFO forged line")).isInstanceOf(IllegalArgumentException.class)
                .hasMessage("runAs 'bot?INFO forged line' has a control character: expected printable characters only");
    }

    @ParameterizedTest
    @EnumSource(Db.class)
    void aHandlerRunsAsItsSubscriptionsIdentityInItsContextTheMdcAndTheFlagAudit(Db db) {
        Millrace m = node(db, "a");
        NODE.set(m);
        SEEN.clear();
        m.events().subscribe(ACME, Subscription.of("billing", "OrderPlaced", Switching.class).withRunAs("billing-bot"));
        m.events().subscribe(ACME, Subscription.of("plain", "OrderPlaced", Switching.class));
        MDC.put("millrace.tenant", "caller");
        try {
            m.events().publish(ACME, EventPolicyTest.orders(0, 2));
            assertThat(m.events().deliverNow(ACME)).isEqualTo(2);
            assertThat(MDC.get("millrace.tenant")).as("the caller's MDC is restored").isEqualTo("caller");
            assertThat(MDC.get("millrace.runAs")).isNull();
            assertThat(MDC.get("millrace.subscription")).isNull();
        } finally {
            MDC.remove("millrace.tenant");
        }

        assertThat(SEEN).containsEntry("billing.runAs", "billing-bot").containsEntry("billing.mdc.runAs", "billing-bot")
                .containsEntry("billing.mdc.subscription", "billing").containsEntry("billing.mdc.tenant", "acme")
                .containsEntry("plain.runAs", "automated-process")
                .containsEntry("plain.mdc.runAs", "automated-process");
        assertThat(m.flags().history(ACME, "flag-billing")).extracting(FlagChange::changedBy)
                .containsExactly("billing-bot");
        assertThat(m.flags().history(ACME, "flag-plain")).extracting(FlagChange::changedBy)
                .containsExactly("automated-process");
        assertThat(m.flags().history(ACME, "explicit-billing")).extracting(FlagChange::changedBy)
                .as("an explicit author wins").containsExactly("ops-console");

        // Outside a delivery the three-argument switch is the API's, as before.
        m.flags().set(ACME, "outside", true);
        assertThat(m.flags().history(ACME, "outside")).extracting(FlagChange::changedBy)
                .containsExactly(FeatureFlags.DEFAULT_CHANGED_BY);
    }

    @ParameterizedTest
    @EnumSource(Db.class)
    void theIdentityIsStoredShownInTheStatusOnEveryNodeAndReplacedByResubscribing(Db db) {
        Millrace a = node(db, "a");
        Millrace b = node(builder(db).nodeId("b").registerHandler(Switching.class));
        a.events().subscribe(ACME, Subscription.of("ship", "OrderPlaced", Switching.class).withPartitions(2, null)
                .withRunAs("Shipping Service <ship@acme.test>"));
        a.events().subscribe(ACME, Subscription.of("plain", "OrderPlaced", Switching.class));
        assertThat(b.events().status(ACME, "ship")).hasSize(2).extracting(SubscriptionStatus::runAs)
                .containsOnly("Shipping Service <ship@acme.test>");
        assertThat(b.events().subscriptions(ACME)).extracting(SubscriptionStatus::subscription,
                SubscriptionStatus::runAs).contains(
                org.assertj.core.groups.Tuple.tuple("plain", "automated-process"),
                org.assertj.core.groups.Tuple.tuple("ship", "Shipping Service <ship@acme.test>"));

        a.events().subscribe(ACME, Subscription.of("ship", "OrderPlaced", Switching.class).withPartitions(2, null)
                .withRunAs("shipping-v2"));
        assertThat(b.events().status(ACME, "ship")).extracting(SubscriptionStatus::runAs).containsOnly("shipping-v2");
    }
}
