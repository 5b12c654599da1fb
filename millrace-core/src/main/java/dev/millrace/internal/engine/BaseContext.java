package dev.millrace.internal.engine;

import dev.millrace.AsyncException;
import dev.millrace.ExecutionContext;
import dev.millrace.JobAbortedException;
import dev.millrace.JobId;
import dev.millrace.JobLogger;
import dev.millrace.TenantId;
import dev.millrace.TenantPolicy;
import dev.millrace.cursor.Cursor;
import dev.millrace.cursor.CursorRow;
import dev.millrace.event.Event;
import dev.millrace.event.PublishResult;
import dev.millrace.internal.cursor.CursorHost;
import dev.millrace.internal.cursor.CursorSession;
import dev.millrace.internal.event.EventTransaction;
import dev.millrace.internal.event.PendingEvents;
import dev.millrace.internal.limits.ExecutionLimits;
import dev.millrace.internal.store.ClaimedJob;
import dev.millrace.internal.store.NewJob;
import dev.millrace.limits.Limit;

import java.net.http.HttpClient;
import java.sql.Connection;
import java.util.ArrayList;
import java.util.List;

/** What every execution context shares: the claimed job, a transaction opened on first use, the log, abort. */
abstract class BaseContext implements ExecutionContext, CursorHost, EventTransaction {
    final Core core;
    final ClaimedJob job;
    final TenantPolicy policy;
    final JobLoggerImpl logger;
    private final JobId jobId;
    final ExecutionResources resources;
    private volatile boolean abortRequested;
    private final List<NewJob> enqueued = new ArrayList<>();
    private int futures;
    private CursorSession cursors;
    private String statusText;
    private PendingEvents pendingEvents;

    BaseContext(Core core, ClaimedJob job, TenantPolicy policy, String parentTransactionId, ExecutionLimits limits) {
        this.core = core;
        this.job = job;
        this.policy = policy;
        this.jobId = JobId.of(job.id());
        this.resources = new ExecutionResources(core, job.tenant(), limits, "job " + jobId);
        this.logger = new JobLoggerImpl(core.store(), core.clock(), job.id(), job.tenant(),
                job.id() + "/" + job.attempt(), parentTransactionId);
    }

    @Override
    public JobId jobId() {
        return jobId;
    }

    @Override
    public TenantId tenant() {
        return job.tenant();
    }

    @Override
    public int attempt() {
        return job.attempt();
    }

    @Override
    public Connection connection() {
        return resources.connection();
    }

    /** The execution's transaction, unmetered: what the engine itself writes through. */
    Connection transaction() {
        return resources.transaction();
    }

    /** Uses a transaction the caller opened and will end (a batch reuses one connection for its chunks). */
    void adoptConnection(Connection c) {
        resources.adopt(c);
    }

    @Override
    public List<PublishResult> publish(List<Event> events) {
        return core.events().publish(job.tenant(), events);
    }

    @Override
    public Object eventOwner() {
        return core.events();
    }

    @Override
    public PendingEvents pendingEvents() {
        if (pendingEvents == null) pendingEvents = new PendingEvents();
        return pendingEvents;
    }

    /** Whether after-commit events wait for this execution's commit. */
    boolean hasPendingEvents() {
        return pendingEvents != null && !pendingEvents.isEmpty();
    }

    /** The transaction, if the execution opened one. */
    Connection openConnection() {
        return resources.openTransaction();
    }

    @Override
    public ExecutionLimits limits() {
        return resources.limits;
    }

    @Override
    public HttpClient httpClient() {
        return resources.httpClient();
    }

    @Override
    public boolean flag(String name) {
        return resources.flag(name);
    }

    @Override
    public JobLogger log() {
        return logger;
    }

    @Override
    public boolean isAbortRequested() {
        return abortRequested;
    }

    @Override
    public void checkAbort() {
        resources.limits.checkBreach();
        if (abortRequested) throw new JobAbortedException("job " + jobId + " was aborted");
    }

    /** The extended status the job ends with, or null for none (a successful job) or the bare error. */
    String statusText() {
        return statusText;
    }

    void statusText(String text) {
        this.statusText = text;
    }

    void requestAbort() {
        abortRequested = true;
    }

    /** Inserts a job in this execution's transaction; it becomes visible if the execution commits. */
    JobId insert(NewJob newJob) {
        Connection c = transaction();
        List<NewJob> batch = List.of(newJob);
        if (core.governance().flags.gates(batch)) core.governance().flags.insert(c, batch, () -> core.store().insert(c, batch));
        else core.store().insert(c, batch);
        enqueued.add(newJob);
        return JobId.of(newJob.id());
    }

    List<NewJob> enqueued() {
        return enqueued;
    }

    /** Enqueues a future in this execution's transaction, within the policy's per-execution allowance. */
    JobId enqueueFutureHere(Class<?> type, String method, Object[] args) {
        if (!allowsFutures()) {
            throw new AsyncException("a future cannot enqueue a future: job " + jobId + " is a future of "
                    + job.className() + "." + job.methodName());
        }
        resources.limits.add(Limit.FUTURE_CALLS, 1, "too many future calls: " + (futures + 1) + " (limit "
                + resources.limits.budget(Limit.FUTURE_CALLS) + " per execution, policy futuresPerExecution)");
        futures++;
        return insert(core.enqueuer().future(job.tenant(), type, method, args, job.id()));
    }

    boolean allowsFutures() {
        return true;
    }

    // ---- cursors: one session per execution counts its fetches and rows

    private CursorSession cursors() {
        // Unmetered: a cursor is a query locator (SPEC CUR-1, BAT-2), its rows are not query rows when it opens; the
        // session counts the open as one query and each fetch's rows as query rows itself.
        if (cursors == null) cursors = core.cursors().session(job.tenant(), job.id(), () -> {
            limits().checkBreach();
            return transaction();
        });
        return cursors;
    }

    @Override
    public Cursor cursor(String sql, Object... params) {
        return cursors().open(null, sql, params);
    }

    @Override
    public Cursor cursorOn(String dataSource, String sql, Object... params) {
        return cursors().open(java.util.Objects.requireNonNull(dataSource, "dataSource"), sql, params);
    }

    @Override
    public Cursor cursor(java.util.UUID id) {
        return cursors().reopen(java.util.Objects.requireNonNull(id, "cursor id"));
    }

    /** When the execution ends, however it ends: records the cursor rows it fetched in its tenant's usage. */
    void afterExecution() {
        if (cursors == null) return;
        try {
            cursors.recordUsage();
        } catch (RuntimeException e) {
            org.slf4j.LoggerFactory.getLogger(BaseContext.class).warn("could not record the cursor usage of job {}: {}",
                    jobId, e.getMessage());
        }
    }

    @Override
    public List<CursorRow> fetch(Cursor cursor, long position, int count) {
        return cursors().fetch(cursor, position, count);
    }

    void checkSameTenant(TenantId tenant) {
        if (!job.tenant().equals(tenant)) {
            throw new AsyncException("job " + jobId + " of tenant '" + job.tenant() + "' cannot enqueue work for tenant '"
                    + tenant + "': expected its own tenant");
        }
    }
}
