package dev.millrace.internal.store.sql;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.sql.Array;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.Semaphore;
import java.util.concurrent.TimeUnit;
import javax.sql.DataSource;

/**
 * Tells other nodes that ready jobs were committed, after the commit and off the enqueuing thread. A NOTIFY
 * inside the enqueue's transaction would serialise every enqueuing commit on PostgreSQL's notification queue
 * lock; here a burst of enqueues becomes one NOTIFY. A lost notification only delays a remote node until its poll.
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

    private final DataSource dataSource;
    private final String channel;
    private final Semaphore pending = new Semaphore(0);
    private final Set<Integer> ownListeners = ConcurrentHashMap.newKeySet();
    private volatile boolean running = true;
    private final Thread thread;
    // Read and written by the notifier's thread only.
    private boolean othersListen = true;
    private long checkedAt;
    private boolean checked;

    PgNotifier(DataSource dataSource, String channel) {
        this.dataSource = dataSource;
        this.channel = channel;
        this.thread = Thread.ofPlatform().daemon().name("millrace-notifier").start(this::loop);
    }

    /** The {@code application_name} a listener of {@code channel} sets on its connection. */
    static String applicationName(String channel) {
        return "millrace-listener:" + channel;
    }

    /** A listener of this process listens on the connection of backend {@code pid}. */
    void ownListenerStarted(int pid) {
        ownListeners.add(pid);
    }

    /** The listener on backend {@code pid} stopped. */
    void ownListenerStopped(int pid) {
        ownListeners.remove(pid);
    }

    /** Asks for a notification soon; calls while one is pending are folded into it. */
    void request() {
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
            try (Connection c = othersMayListen() ? dataSource.getConnection() : null) {
                if (c == null || !othersListen(c)) continue;
                if (!c.getAutoCommit()) c.setAutoCommit(true);
                try (Statement s = c.createStatement()) {
                    s.execute("NOTIFY " + channel);
                }
            } catch (SQLException e) {
                LOG.debug("NOTIFY {} failed; other nodes will find the jobs at their next poll", channel, e);
            }
        }
    }

    /** False only while a fresh check found no other listener: no connection is needed to skip the NOTIFY. */
    private boolean othersMayListen() {
        return othersListen || !checked || System.nanoTime() - checkedAt >= RECHECK_ALONE_NANOS;
    }

    private boolean othersListen(Connection c) {
        long now = System.nanoTime();
        if (checked && now - checkedAt < (othersListen ? RECHECK_NANOS : RECHECK_ALONE_NANOS)) return othersListen;
        try (PreparedStatement ps = c.prepareStatement("SELECT EXISTS (SELECT 1 FROM pg_stat_activity"
                + " WHERE datname = current_database() AND application_name = ? AND NOT (pid = ANY (?)))")) {
            ps.setString(1, applicationName(channel));
            Array pids = c.createArrayOf("int4", ownListeners.toArray());
            ps.setArray(2, pids);
            try (ResultSet rs = ps.executeQuery()) {
                othersListen = !rs.next() || rs.getBoolean(1);
            }
        } catch (SQLException e) {
            // Cannot tell: notify, as before this check existed.
            LOG.debug("cannot read pg_stat_activity; notifying on {} regardless", channel, e);
            othersListen = true;
        }
        checked = true;
        checkedAt = now;
        return othersListen;
    }

    @Override
    public void close() {
        running = false;
        thread.interrupt();
    }
}
