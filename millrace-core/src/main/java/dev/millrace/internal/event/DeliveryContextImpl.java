package dev.millrace.internal.event;

import dev.millrace.TenantId;
import dev.millrace.event.DeliveryContext;
import dev.millrace.event.Event;
import dev.millrace.event.EventRecord;
import dev.millrace.event.PublishResult;
import dev.millrace.internal.limits.ExecutionLimits;
import dev.millrace.internal.limits.MeteredHttpClient;
import dev.millrace.internal.limits.MeteredJdbc;
import dev.millrace.internal.store.EventStore.PartitionRow;
import dev.millrace.internal.store.StoreException;

import java.net.http.HttpClient;
import java.sql.Connection;
import java.sql.SQLException;
import java.util.List;
import javax.sql.DataSource;

/** One delivery: the leased partition, the batch, a transaction opened on first use, the resume checkpoint. */
final class DeliveryContextImpl implements DeliveryContext, EventTransaction {
    private final EventBus bus;
    private final PartitionRow partition;
    private final List<EventRecord> batch;
    private final DataSource dataSource;
    private final PendingEvents pending = new PendingEvents();
    private final ExecutionLimits limits;
    private final HttpClient http;
    private Connection connection;
    private Connection metered;
    private Long resumeCheckpoint;

    /** {@code calloutsRefused}: why the handler may make no callout, or null when it may. */
    DeliveryContextImpl(EventBus bus, PartitionRow partition, List<EventRecord> batch, DataSource dataSource,
                        ExecutionLimits limits, HttpClient nodeHttp, String calloutsRefused) {
        this.bus = bus;
        this.partition = partition;
        this.batch = batch;
        this.dataSource = dataSource;
        this.limits = limits;
        this.http = new MeteredHttpClient(nodeHttp, limits, calloutsRefused);
    }

    @Override
    public HttpClient httpClient() {
        return http;
    }

    @Override
    public TenantId tenant() {
        return partition.tenant();
    }

    @Override
    public String subscription() {
        return partition.name();
    }

    @Override
    public String runAs() {
        return partition.runAs();
    }

    @Override
    public int partition() {
        return partition.partition();
    }

    @Override
    public int retries() {
        return partition.retries();
    }

    @Override
    public String lastError() {
        return partition.retries() == 0 ? null : partition.lastError();
    }

    /** The connection the handler gets: queries and DML counted, commit, rollback and close held back. */
    @Override
    public Connection connection() {
        limits.checkBreach();
        if (metered == null) {
            Connection real = transaction();
            metered = limits.accounting() ? MeteredJdbc.wrap(real, limits) : real;
        }
        return metered;
    }

    /** The delivery's own transaction (the bus commits the handler's work and the checkpoint in it). */
    Connection transaction() {
        if (connection == null) {
            try {
                Connection c = dataSource.getConnection();
                c.setAutoCommit(false);
                connection = c;
            } catch (SQLException e) {
                throw new StoreException("cannot open the transaction of a delivery of " + partition.name() + ": "
                        + e.getMessage(), e);
            }
        }
        return connection;
    }

    @Override
    public void setResumeCheckpoint(long replayId) {
        long first = batch.get(0).replayId();
        long last = batch.get(batch.size() - 1).replayId();
        boolean inBatch = batch.stream().anyMatch(e -> e.replayId() == replayId);
        if (!inBatch) {
            throw new IllegalArgumentException("resume checkpoint " + replayId + " is not in the current batch: expected"
                    + " the replay id of one of its events (" + first + " to " + last + ")");
        }
        resumeCheckpoint = replayId;
    }

    Long resumeCheckpoint() {
        return resumeCheckpoint;
    }

    @Override
    public List<PublishResult> publish(List<Event> events) {
        return bus.publishFrom(this, events);
    }

    @Override
    public Object eventOwner() {
        return bus;
    }

    @Override
    public PendingEvents pendingEvents() {
        return pending;
    }

    void rollback(Throwable cause) {
        if (connection == null) return;
        try {
            connection.rollback();
        } catch (SQLException e) {
            cause.addSuppressed(e);
        }
        pending.byChannel.clear();
    }

    void close() {
        if (connection == null) return;
        try {
            if (!connection.getAutoCommit()) {
                connection.rollback();
                connection.setAutoCommit(true);
            }
            connection.close();
        } catch (SQLException e) {
            // the pool discards a broken connection
        }
    }
}
