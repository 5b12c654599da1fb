package dev.millrace.internal.engine;

import dev.millrace.JobError;
import dev.millrace.JobLogger;
import dev.millrace.LogLevel;
import dev.millrace.TenantId;
import dev.millrace.internal.store.JobStore;
import dev.millrace.internal.store.LogRow;

import java.text.MessageFormat;
import java.time.InstantSource;
import java.util.ArrayList;
import java.util.List;
import java.util.UUID;

/** An execution's log: buffered, written on {@link #saveLog()} and when the execution ends. */
final class JobLoggerImpl implements JobLogger {
    private final JobStore store;
    private final InstantSource clock;
    private final UUID jobId;
    private final TenantId tenant;
    private final String transactionId;
    private final List<LogRow> buffer = new ArrayList<>();
    private String scenario;
    private String parentTransactionId;

    JobLoggerImpl(JobStore store, InstantSource clock, UUID jobId, TenantId tenant, String transactionId,
                  String parentTransactionId) {
        this.store = store;
        this.clock = clock;
        this.jobId = jobId;
        this.tenant = tenant;
        this.transactionId = transactionId;
        this.parentTransactionId = parentTransactionId;
    }

    @Override
    public void debug(String message, Object... args) {
        add(LogLevel.DEBUG, format(message, args), null);
    }

    @Override
    public void info(String message, Object... args) {
        add(LogLevel.INFO, format(message, args), null);
    }

    @Override
    public void warn(String message, Object... args) {
        add(LogLevel.WARN, format(message, args), null);
    }

    @Override
    public void error(String message, Object... args) {
        add(LogLevel.ERROR, format(message, args), null);
    }

    @Override
    public void error(String message, Throwable error) {
        add(LogLevel.ERROR, message, error == null ? null : JobError.of(error));
    }

    /** Adds a line about another job (a finalizer's failure is logged on its parent). */
    void addFor(UUID otherJob, LogLevel level, String message, JobError error) {
        synchronized (buffer) {
            buffer.add(new LogRow(otherJob, tenant, clock.instant(), level, message, scenario, transactionId,
                    parentTransactionId, error));
        }
    }

    void add(LogLevel level, String message, JobError error) {
        addFor(jobId, level, message, error);
    }

    @Override
    public void setScenario(String scenario) {
        this.scenario = scenario;
    }

    @Override
    public void setParentTransactionId(String parentTransactionId) {
        this.parentTransactionId = parentTransactionId;
    }

    @Override
    public String transactionId() {
        return transactionId;
    }

    @Override
    public void saveLog() {
        List<LogRow> rows;
        synchronized (buffer) {
            if (buffer.isEmpty()) return;
            rows = List.copyOf(buffer);
            buffer.clear();
        }
        store.appendLog(rows);
    }

    private static String format(String message, Object[] args) {
        if (args == null || args.length == 0 || message == null) return String.valueOf(message);
        try {
            return MessageFormat.format(message, args);
        } catch (IllegalArgumentException e) {
            return message + " " + java.util.Arrays.toString(args);
        }
    }
}
