package dev.millrace.internal.store.sql;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.nio.charset.StandardCharsets;
import java.sql.Array;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.Semaphore;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import javax.sql.DataSource;

/**
 * Tells other nodes that ready jobs were committed, after the commit and off the enqueuing thread. A NOTIFY
 * inside the enqueue's transaction would serialise every enqueuing commit on PostgreSQL's notification queue
 * lock; here a burst of enqueues becomes one NOTIFY. It names the tenants with new ready work ({@link ReadyNotice}),
 * so a woken node claims for them at once instead of first reading which tenants have work. There is no delay on
 * purpose: requests coalesce while a NOTIFY is on its way, never by waiting. A lost notification only delays a
 * remote node until its poll.
 *
 * <p>A NOTIFY is a transaction of its own with a durable commit, so it is sent only while a listener of another
 * process is connected: a single node, or an application that only enqueues, would otherwise pay a second WAL
 * flush for about every enqueue. Listeners announce themselves by their connection's {@code application_name}
 * ({@link #applicationName(String)}), which {@code pg_stat_activity} shows to every role; this process's own
 * listeners are left out, since their node is woken in-process. "Nobody else" is rechecked every
 * {@link #RECHECK_ALONE_NANOS} (a read, no commit), so a node that starts listening misses notifications for at most
 * that long, and finds those jobs at its next poll.
 */
final class PgNotifier implements AutoCloseable {
    private static final Logger LOG = LoggerFactory.getLogger(PgNotifier.class);
    static final long RECHECK_ALONE_NANOS = TimeUnit.MILLISECONDS.toNanos(100);
    /** While others listen every request notifies; this only notices that they left. */
    static final long RECHECK_NANOS = TimeUnit.SECONDS.toNanos(1);
    private static final String LISTENER_PREFIX = "millrace-listener:";
    /** PostgreSQL keeps 63 bytes of an application_name. */
    private static final int MAX_APPLICATION_NAME_BYTES = 63;

    private final DataSource dataSource;
    private final String channel;
    private final Semaphore pending = new Semaphore(0);
    private final Set<String> tenants = ConcurrentHashMap.newKeySet();
    private final AtomicBoolean anyTenant = new AtomicBoolean();
    private final Set<Integer> ownListeners = ConcurrentHashMap.newKeySet();
    private final AtomicBoolean recheck = new AtomicBoolean();
    private volatile boolean running = true;
    private final Thread thread;
    // Written by the notifier's thread only.
    private volatile boolean othersListen = true;
    private volatile boolean checked;
    private volatile long checkedAt;

    PgNotifier(DataSource dataSource, String channel) {
        this.dataSource = dataSource;
        this.channel = channel;
        this.thread = Thread.ofPlatform().daemon().name("millrace-notifier").start(this::loop);
        // Look once at the start, so that a lone node's first enqueues already know whether anyone else listens.
        othersMayListen();
    }

    /** The {@code application_name} a listener of {@code channel} sets on its connection (one PostgreSQL keeps whole). */
    static String applicationName(String channel) {
        String name = LISTENER_PREFIX + channel;
        if (name.getBytes(StandardCharsets.UTF_8).length <= MAX_APPLICATION_NAME_BYTES) return name;
        return LISTENER_PREFIX + "#" + Integer.toHexString(channel.hashCode());
    }

    /** A listener of this process listens on the connection of backend {@code pid}. */
    void ownListenerStarted(int pid) {
        ownListeners.add(pid);
    }

    /** The listener on backend {@code pid} stopped. */
    void ownListenerStopped(int pid) {
        ownListeners.remove(pid);
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

    /**
     * Whether a fresh check found no listener of another process: then a request would only wake this notifier's
     * thread to find nobody to tell (its loop skips such a notification), so callers leave it out.
     */
    boolean nobodyElseListens() {
        return checked && !othersListen && !stale();
    }

    /**
     * Whether a listener of another process may be connected, as last checked (true until the first check). A stale
     * answer asks this notifier's thread to check again and is returned meanwhile: the caller never waits.
     */
    boolean othersMayListen() {
        if (stale()) {
            recheck.set(true);
            signal();
        }
        return othersListen;
    }

    private boolean stale() {
        return !checked || System.nanoTime() - checkedAt >= (othersListen ? RECHECK_NANOS : RECHECK_ALONE_NANOS);
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
            boolean check = recheck.getAndSet(false) || payload != null && stale();
            // A fresh "nobody else listens" skips the NOTIFY without even taking a connection.
            if (payload == null && !check || !check && !othersListen) continue;
            try (Connection c = dataSource.getConnection()) {
                if (!c.getAutoCommit()) c.setAutoCommit(true);
                if (check) check(c);
                if (payload == null || !othersListen) continue;
                try (PreparedStatement s = c.prepareStatement("SELECT pg_notify(?, ?)")) {
                    s.setString(1, channel);
                    s.setString(2, payload);
                    s.execute();
                }
            } catch (SQLException e) {
                LOG.debug("NOTIFY {} failed; other nodes will find the jobs at their next poll", channel, e);
            }
        }
    }

    private void check(Connection c) {
        try (PreparedStatement ps = c.prepareStatement("SELECT EXISTS (SELECT 1 FROM pg_stat_activity"
                + " WHERE datname = current_database() AND application_name = ? AND NOT (pid = ANY (?)))")) {
            ps.setString(1, applicationName(channel));
            Array pids = c.createArrayOf("int4", ownListeners.toArray());
            ps.setArray(2, pids);
            try (ResultSet rs = ps.executeQuery()) {
                othersListen = !rs.next() || rs.getBoolean(1);
            }
        } catch (SQLException e) {
            // Cannot tell: notify, as if this check did not exist.
            LOG.debug("cannot read pg_stat_activity; notifying on {} regardless", channel, e);
            othersListen = true;
        }
        checkedAt = System.nanoTime();
        checked = true;
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
