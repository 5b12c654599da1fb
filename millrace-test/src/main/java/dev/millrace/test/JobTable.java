package dev.millrace.test;

import dev.millrace.JobId;
import dev.millrace.JobPage;
import dev.millrace.JobQuery;
import dev.millrace.JobRecord;
import dev.millrace.JobStatus;
import dev.millrace.Millrace;
import dev.millrace.TenantId;

import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.function.UnaryOperator;

/** The test tenant's rows of the real job table, read through the public query API, oldest first. */
final class JobTable {
    private final Millrace millrace;
    private final TenantId tenant;

    JobTable(Millrace millrace, TenantId tenant) {
        this.millrace = millrace;
        this.tenant = tenant;
    }

    /** Every job of the tenant matching the query, oldest (first enqueued) first. */
    List<JobRecord> find(UnaryOperator<JobQuery.Builder> filter) {
        List<JobRecord> out = new ArrayList<>();
        JobId cursor = null;
        do {
            JobQuery.Builder q = filter.apply(JobQuery.forTenant(tenant)).limit(JobQuery.MAX_LIMIT);
            if (cursor != null) q.after(cursor);
            JobPage page = millrace.jobs().find(q.build());
            out.addAll(page.jobs());
            cursor = page.nextCursor().orElse(null);
        } while (cursor != null);
        // Pages come newest first; ids are time-ordered, so the reverse is enqueue order.
        Collections.reverse(out);
        return out;
    }

    /** The jobs waiting to be claimed, oldest first. */
    List<JobRecord> waiting() {
        return find(q -> q.status(JobStatus.QUEUED));
    }

    /** One job, which must exist. */
    JobRecord job(JobId id) {
        return millrace.jobs().find(tenant, id).orElseThrow(() -> new IllegalArgumentException("job " + id
                + " does not exist in tenant '" + tenant + "': expected the id of one of its jobs"));
    }
}
