package dev.millrace.server.cli;

import dev.millrace.JobId;
import dev.millrace.JobPage;
import dev.millrace.JobQuery;
import dev.millrace.JobRecord;
import dev.millrace.Jobs;
import dev.millrace.TenantId;
import dev.millrace.Tenants;

import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;

/**
 * Reads a tenant's jobs page by page through the public query API (keyset paging, newest first). The API
 * has no count query yet, so counting means reading the rows.
 */
final class JobScan {
    /** How far behind another node's clock may be and its jobs still count as created after an instant. */
    static final Duration CLOCK_SKEW = Duration.ofMinutes(1);
    private final Jobs jobs;
    private final Tenants tenants;

    JobScan(Jobs jobs, Tenants tenants) {
        this.jobs = jobs;
        this.tenants = tenants;
    }

    /**
     * Every job of the tenant, newest first. A tenant that does not exist yet has no jobs (rather than an
     * error), which is the first run's case.
     */
    List<JobRecord> list(TenantId tenant) {
        List<JobRecord> out = new ArrayList<>();
        if (tenants.policy(tenant).isEmpty()) return out;
        JobId cursor = null;
        do {
            JobPage page = jobs.find(JobQuery.forTenant(tenant).after(cursor).limit(JobQuery.MAX_LIMIT).build());
            out.addAll(page.jobs());
            cursor = page.nextCursor().orElse(null);
        } while (cursor != null);
        return out;
    }

    /**
     * Every job of the tenant created at or after {@code since}, newest first, read until the first page that
     * reaches well before {@code since}.
     *
     * <p>Why not {@code createdBetween(since, null)}: the store answers that by walking the tenant's jobs
     * newest first and filtering, so once this run's jobs are read it walks every older job looking for more,
     * and a count that runs several times a second grows slower with every earlier run kept in the store.
     * Pages come newest first by creation (the query API's contract), so the walk can stop here instead; the
     * {@link #CLOCK_SKEW} margin keeps jobs stamped by a node whose clock runs a little behind.
     */
    List<JobRecord> listSince(TenantId tenant, Instant since) {
        List<JobRecord> out = new ArrayList<>();
        if (tenants.policy(tenant).isEmpty()) return out;
        Instant stopBefore = since.minus(CLOCK_SKEW);
        JobId cursor = null;
        do {
            JobPage page = jobs.find(JobQuery.forTenant(tenant).after(cursor).limit(JobQuery.MAX_LIMIT).build());
            boolean past = false;
            for (JobRecord job : page.jobs()) {
                if (!job.createdAt().isBefore(since)) out.add(job);
                else if (job.createdAt().isBefore(stopBefore)) past = true;
            }
            cursor = past ? null : page.nextCursor().orElse(null);
        } while (cursor != null);
        return out;
    }
}
