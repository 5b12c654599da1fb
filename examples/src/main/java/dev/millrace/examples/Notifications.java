package dev.millrace.examples;

import dev.millrace.ExecutionContext;
import dev.millrace.Future;

import java.sql.SQLException;
import java.util.List;

/**
 * Futures: static methods with simple arguments, copied by value when they are called and run later.
 * Register the class with {@code Millrace.builder().registerFutures(Notifications.class)}; call a method
 * with {@code millrace.enqueueFuture(tenant, Notifications.class, "welcome", email, tags)}.
 */
public final class Notifications {
    private Notifications() {
    }

    /**
     * Welcomes a new customer with a message in the {@link Outbox}. A future reaches its execution (its
     * connection, its log) through {@link ExecutionContext#current()}.
     *
     * @param email the customer's address
     * @param tags labels that shape the message, such as {@code "vip"}
     */
    @Future
    public static void welcome(String email, List<String> tags) throws SQLException {
        ExecutionContext context = ExecutionContext.current().orElseThrow();
        Outbox.send(context, email, tags.contains("vip") ? "welcome, valued customer" : "welcome");
    }
}
