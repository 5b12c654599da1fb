package dev.millrace.internal.store.sql;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.SQLException;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.Semaphore;
import java.util.concurrent.atomic.AtomicBoolean;
import javax.sql.DataSource;

/**
 * Tells other nodes that ready jobs were committed, after the commit and off the enqueuing thread. A NOTIFY
 * inside the enqueue's transaction would serialise every enqueuing commit on PostgreSQL's notification queue
 * lock; here a burst of enqueues becomes one NOTIFY. It names the tenants with new ready work ({@link ReadyNotice}),
 * so a woken node claims for them at once instead of first reading which tenants have work. There is no delay on
 * purpose: requests coalesce while a NOTIFY is on its way, never by waiting. A lost notification only delays a
 * remote node until its poll.
 */
final class PgNotifier implements AutoCloseable {
    private static final Logger LOG = LoggerFactory.getLogger(PgNotifier.class);

    private final DataSource dataSource;
    private final String channel;
    private final Semaphore pending = new Semaphore(0);
    private final Set<String> tenants = ConcurrentHashMap.newKeySet();
    private final AtomicBoolean anyTenant = new AtomicBoolean();
    private volatile boolean running = true;
    private final Thread thread;

    PgNotifier(DataSource dataSource, String channel) {
        this.dataSource = dataSource;
        this.channel = channel;
        this.thread = Thread.ofPlatform().daemon().name("millrace-notifier").start(this::loop);
    }

    /** Asks for a notification soon that names no tenant; calls while one is pending are folded into it. */
    void request() {
        anyTenant.set(true);
        signal();
    }

    /** Asks for a notification soon naming this tenant; calls while one is pending are folded into it. */
    void request(String tenant) {
        tenants.add(tenant);
        signal();
    }

    private void signal() {
        if (pending.availablePermits() == 0) pending.release();
    }

    private void loop() {
        while (running) {
            try {
                pending.acquire();
                pending.drainPermits();
            } catch (InterruptedException e) {
                return;
            }
            if (!running) return;
            String payload = payload();
            if (payload == null) continue;
            try (Connection c = dataSource.getConnection();
                 PreparedStatement s = c.prepareStatement("SELECT pg_notify(?, ?)")) {
                if (!c.getAutoCommit()) c.setAutoCommit(true);
                s.setString(1, channel);
                s.setString(2, payload);
                s.execute();
            } catch (SQLException e) {
                LOG.debug("NOTIFY {} failed; other nodes will find the jobs at their next poll", channel, e);
            }
        }
    }

    /**
     * The tenants requested since the last notification (each taken once), "" when any may have work, or null when
     * nothing is left to say (a request folded into the previous notification after its permit was given).
     */
    private String payload() {
        boolean any = anyTenant.getAndSet(false);
        List<String> named = new ArrayList<>();
        for (Iterator<String> it = tenants.iterator(); it.hasNext(); ) {
            named.add(it.next());
            it.remove();
        }
        if (any) return ReadyNotice.ANY_TENANT;
        return named.isEmpty() ? null : ReadyNotice.payload(named);
    }

    @Override
    public void close() {
        running = false;
        thread.interrupt();
    }
}
