package dev.millrace.examples;

import dev.millrace.AsyncOptions;
import dev.millrace.TenantId;
import dev.millrace.UnknownJobTypeException;
import dev.millrace.UnknownTenantException;
import dev.millrace.test.AsyncTest;
import dev.millrace.test.MillraceTest;
import org.junit.jupiter.api.Test;

import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/** Tour, errors: bad input gets an error that names the value and the rule, and leaves no row behind. */
@MillraceTest(register = SendInvoice.class, futures = Notifications.class)
class BadInputTest {

    @Test
    void eachMistakeIsNamed(AsyncTest test) {
        assertThatThrownBy(() -> test.enqueue(new ImportCustomers("b1")))          // not registered
                .isInstanceOf(UnknownJobTypeException.class)
                .hasMessageContaining(ImportCustomers.class.getName());
        assertThatThrownBy(() -> test.millrace().enqueue(TenantId.of("nobody"), new SendInvoice(1)))
                .isInstanceOf(UnknownTenantException.class)
                .hasMessageStartingWith("tenant 'nobody' does not exist");
        assertThatThrownBy(() -> test.enqueue(new SendInvoice(1), AsyncOptions.delayMinutes(11)))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageStartingWith("delay of 11 minutes is out of range: expected 0 to 10 minutes");
        assertThatThrownBy(() -> test.enqueueFuture(Notifications.class, "welcome", "ada@example.com",
                List.of(new StringBuilder("vip"))))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("tags");

        assertThat(test.jobs()).isEmpty();
    }
}
