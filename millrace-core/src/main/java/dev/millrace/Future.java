package dev.millrace;

import dev.millrace.limits.CalloutException;

import java.lang.annotation.ElementType;
import java.lang.annotation.Retention;
import java.lang.annotation.RetentionPolicy;
import java.lang.annotation.Target;

/**
 * Marks a public static {@code void} method as a future: callable later, through
 * {@link Millrace#enqueueFuture}, with simple arguments copied by value. Register the declaring class
 * with {@link Millrace.Builder#registerFutures(Class)}.
 *
 * <p>Simple arguments are primitives and their wrappers, {@code String}, enums, {@link java.util.UUID},
 * {@link JobId}, {@link TenantId}, {@code java.time} dates and instants, {@link java.math.BigDecimal},
 * and lists, sets and maps of those.
 */
@Retention(RetentionPolicy.RUNTIME)
@Target(ElementType.METHOD)
public @interface Future {
    /**
     * Whether the method makes outbound calls: without it, a call through the execution's HTTP client
     * ({@link Execution#current()}) fails with {@link CalloutException} and the call is not made.
     */
    boolean callout() default false;
}
