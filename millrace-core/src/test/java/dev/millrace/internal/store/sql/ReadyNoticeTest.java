package dev.millrace.internal.store.sql;

import dev.millrace.TenantId;
import org.junit.jupiter.api.Test;

import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;

/** The payload of a ready-jobs notification, and the channels notifications travel on. */
class ReadyNoticeTest {

    @Test
    void aPayloadNamesItsTenantsAndReadsBackAsThem() {
        String payload = ReadyNotice.payload(List.of("acme", "globex-2", "a.b_c"));
        assertThat(payload).isEqualTo("acme globex-2 a.b_c");
        assertThat(ReadyNotice.tenants(payload))
                .containsExactly(TenantId.of("acme"), TenantId.of("globex-2"), TenantId.of("a.b_c"));
    }

    @Test
    void tooManyTenantsForOnePayloadNameNoneSoTheNodeReadsEveryTenant() {
        List<String> many = new ArrayList<>();
        for (int i = 0; i < 200; i++) many.add("tenant-number-" + i);
        String payload = ReadyNotice.payload(many);
        assertThat(payload).isEqualTo(ReadyNotice.ANY_TENANT);
        assertThat(ReadyNotice.tenants(payload)).isNull();
    }

    @Test
    void aPayloadThatIsNotAListOfTenantIdsNamesNone() {
        assertThat(ReadyNotice.tenants("")).isNull();
        assertThat(ReadyNotice.tenants(null)).isNull();
        assertThat(ReadyNotice.tenants("acme not-a-tenant!")).isNull();
        assertThat(ReadyNotice.tenants("acme  globex")).as("an empty name").isNull();
    }

    @Test
    void eachSchemaHasItsOwnReadyChannelWithinPostgresLimitOnNames() {
        assertThat(Tables.in(null).readyChannel()).isEqualTo("millrace_ready");
        assertThat(Tables.in("billing").readyChannel()).isEqualTo("millrace_ready_billing");
        assertThat(Tables.in("Billing").readyChannel()).isNotEqualTo(Tables.in("billing").readyChannel());
        String longSchema = "s".repeat(63);
        String channel = Tables.in(longSchema).readyChannel();
        assertThat(channel.getBytes(StandardCharsets.UTF_8).length).isLessThanOrEqualTo(63);
        assertThat(channel).isNotEqualTo(Tables.in("s".repeat(62)).readyChannel());
    }

    @Test
    void eachSchemaHasItsOwnEventChannelApartFromItsReadyChannel() {
        assertThat(Tables.in(null).eventChannel()).isEqualTo("millrace_events");
        assertThat(Tables.in("billing").eventChannel()).isEqualTo("millrace_events_billing");
        assertThat(Tables.in("billing").eventChannel()).isNotEqualTo(Tables.in("billing").readyChannel());
        assertThat(Tables.in("Billing").eventChannel()).isNotEqualTo(Tables.in("billing").eventChannel());
        String channel = Tables.in("s".repeat(63)).eventChannel();
        assertThat(channel.getBytes(StandardCharsets.UTF_8).length).isLessThanOrEqualTo(63);
        assertThat(channel).isNotEqualTo(Tables.in("s".repeat(62)).eventChannel());
    }
}
