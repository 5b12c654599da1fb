package dev.millrace.test;

import org.junit.jupiter.api.extension.ExtendWith;

import java.lang.annotation.Documented;
import java.lang.annotation.ElementType;
import java.lang.annotation.Inherited;
import java.lang.annotation.Retention;
import java.lang.annotation.RetentionPolicy;
import java.lang.annotation.Target;

/**
 * Gives every test method of the class an {@link AsyncTest} parameter: a fresh H2 in-memory database, a node
 * (not started) with these classes registered, an isolated tenant and a {@link TestClock}.
 *
 * <pre>{@code
 * @MillraceTest(register = {SendInvoice.class, RetryPayment.class}, futures = Notifications.class)
 * class BillingTest {
 *     @Test
 *     void sendsTheInvoice(AsyncTest test) { … }
 * }
 * }</pre>
 *
 * <p>Needing more (a tenant policy, another clock start)? Register the extension with a builder instead:
 * {@code @RegisterExtension static MillraceExtension millrace = MillraceExtension.of(AsyncTest.builder()…)}.
 * Use one or the other on a class, not both. {@code @Nested} classes inherit the enclosing class's annotation.
 */
@Target({ElementType.TYPE, ElementType.ANNOTATION_TYPE})
@Retention(RetentionPolicy.RUNTIME)
@Documented
@Inherited
@ExtendWith(MillraceExtension.class)
public @interface MillraceTest {

    /** {@link dev.millrace.Queueable} and {@link dev.millrace.Finalizer} classes the tests enqueue and run. */
    Class<?>[] register() default {};

    /** Classes whose {@link dev.millrace.Future} methods the tests call. */
    Class<?>[] futures() default {};

    /** {@link dev.millrace.event.EventHandler} classes the tests' subscriptions use. */
    Class<? extends dev.millrace.event.EventHandler>[] handlers() default {};

    /** The test tenant's id; every test has a database of its own, so the name only matters to the code under test. */
    String tenant() default "test";
}
