package dev.millrace.internal.store.sql;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.sql.Connection;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.concurrent.Semaphore;
import javax.sql.DataSource;

/**
 * Tells other nodes that ready jobs were committed, after the commit and off the enqueuing thread. A NOTIFY
 * inside the enqueue's transaction would serialise every enqueuing commit on PostgreSQL's notification queue
 * lock; here a burst of enqueues becomes one NOTIFY. A lost notification only delays a remote node until its poll.
 */
final class PgNotifier implements AutoCloseable {
    private static final Logger LOG = LoggerFactory.getLogger(PgNotifier.class);

    private final DataSource dataSource;
    private final String channel;
    private final Semaphore pending = new Semaphore(0);
    private volatile boolean running = true;
    private final Thread thread;

    PgNotifier(DataSource dataSource, String channel) {
        this.dataSource = dataSource;
        this.channel = channel;
        this.thread = Thread.ofPlatform().daemon().name("millrace-notifier").start(this::loop);
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
            try (Connection c = dataSource.getConnection(); Statement s = c.createStatement()) {
                if (!c.getAutoCommit()) c.setAutoCommit(true);
                s.execute("NOTIFY " + channel);
            } catch (SQLException e) {
                LOG.debug("NOTIFY {} failed; other nodes will find the jobs at their next poll", channel, e);
            }
        }
    }

    @Override
    public void close() {
        running = false;
        thread.interrupt();
    }
}
