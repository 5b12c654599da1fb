package dev.millrace.internal.store.sql;

import org.postgresql.PGConnection;
import org.postgresql.PGNotification;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import javax.sql.DataSource;

/**
 * Listens on a PostgreSQL channel on one held connection and calls back on every notification: how other
 * nodes' enqueues wake this node's dispatcher. Reconnects after a failure; polling covers the gap.
 */
public final class PgListener implements AutoCloseable {
    private static final Logger LOG = LoggerFactory.getLogger(PgListener.class);
    private static final int WAIT_MS = 500;

    private final DataSource dataSource;
    private final String channel;
    private final Runnable onNotify;
    private final PgNotifier notifier;
    private volatile boolean running;
    private Thread thread;

    PgListener(DataSource dataSource, String channel, Runnable onNotify, PgNotifier notifier) {
        this.dataSource = dataSource;
        this.channel = channel;
        this.onNotify = onNotify;
        this.notifier = notifier;
    }

    /** Starts listening on a thread of its own. */
    public synchronized void start() {
        if (running) return;
        running = true;
        thread = Thread.ofPlatform().daemon().name("millrace-listener").start(this::loop);
    }

    private void loop() {
        while (running) {
            try (Connection c = dataSource.getConnection()) {
                c.setAutoCommit(true);
                int pid;
                try (Statement s = c.createStatement()) {
                    s.execute("LISTEN " + channel);
                    // Other processes' notifiers send a NOTIFY only while they see a listener named so.
                    s.execute("SET application_name = '" + PgNotifier.applicationName(channel) + "'");
                    try (ResultSet rs = s.executeQuery("SELECT pg_backend_pid()")) {
                        rs.next();
                        pid = rs.getInt(1);
                    }
                }
                notifier.ownListenerStarted(pid);
                try {
                    PGConnection pg = c.unwrap(PGConnection.class);
                    while (running) {
                        PGNotification[] got = pg.getNotifications(WAIT_MS);
                        if (got != null && got.length > 0) onNotify.run();
                    }
                } finally {
                    notifier.ownListenerStopped(pid);
                    // The connection goes back to the pool: it must neither listen nor pose as a listener there.
                    try (Statement s = c.createStatement()) {
                        s.execute("UNLISTEN *");
                        s.execute("RESET application_name");
                    }
                }
            } catch (SQLException e) {
                if (!running) return;
                LOG.warn("LISTEN {} failed, retrying in 1 s (polling covers the gap): {}", channel, e.getMessage());
                try {
                    Thread.sleep(1000);
                } catch (InterruptedException ie) {
                    return;
                }
            }
        }
    }

    @Override
    public void close() {
        Thread t;
        synchronized (this) {
            running = false;
            t = thread;
        }
        if (t != null) {
            try {
                t.join(WAIT_MS * 4L);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        }
    }
}
