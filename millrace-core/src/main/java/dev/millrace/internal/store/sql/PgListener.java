package dev.millrace.internal.store.sql;

import org.postgresql.PGConnection;
import org.postgresql.PGNotification;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.List;
import java.util.function.Consumer;
import javax.sql.DataSource;

/**
 * Listens on a PostgreSQL channel on one held connection and calls back on every notification: how other
 * nodes' enqueues wake this node's dispatcher. The thread blocks on the connection's socket (pgjdbc's
 * {@code getNotifications(timeout)} returns as soon as one arrives) and hands the payloads of what arrived together
 * to the callback at once. Reconnects after a failure; polling covers the gap.
 */
public final class PgListener implements AutoCloseable {
    private static final Logger LOG = LoggerFactory.getLogger(PgListener.class);
    private static final int WAIT_MS = 500;

    private final DataSource dataSource;
    private final String channel;
    private final Consumer<List<String>> onNotify;
    private final PgNotifier notifier;
    private volatile boolean running;
    private Thread thread;

    /** Calls {@code onNotify} on the listening thread with the payloads of the notifications received together. */
    PgListener(DataSource dataSource, String channel, Consumer<List<String>> onNotify, PgNotifier notifier) {
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
                try (Statement s = c.createStatement()) {
                    // Quoted: a channel named after a schema keeps its case and characters.
                    s.execute("LISTEN \"" + channel.replace("\"", "\"\"") + "\"");
                }
                // Other processes' notifiers send a NOTIFY only while they see a listener named so.
                int pid;
                try (PreparedStatement s = c.prepareStatement(
                        "SELECT set_config('application_name', ?, false), pg_backend_pid()")) {
                    s.setString(1, PgNotifier.applicationName(channel));
                    try (ResultSet rs = s.executeQuery()) {
                        rs.next();
                        pid = rs.getInt(2);
                    }
                }
                notifier.ownListenerStarted(pid);
                try {
                    PGConnection pg = c.unwrap(PGConnection.class);
                    while (running) {
                        PGNotification[] got = pg.getNotifications(WAIT_MS);
                        if (got == null || got.length == 0) continue;
                        List<String> payloads = new ArrayList<>(got.length);
                        for (PGNotification n : got) payloads.add(n.getParameter());
                        onNotify.accept(payloads);
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
