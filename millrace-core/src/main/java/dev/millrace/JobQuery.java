package dev.millrace;

import java.time.Instant;
import java.util.EnumSet;
import java.util.Objects;
import java.util.Optional;
import java.util.Set;

/**
 * A filter over one tenant's jobs, newest first, paged by keyset: pass the last page's
 * {@link JobPage#nextCursor()} to {@link Builder#after(JobId)} for the next page.
 *
 * @param tenant the tenant whose jobs to list (a query never crosses tenants)
 * @param statuses the statuses to include; empty means all
 * @param types the job types to include; empty means all
 * @param className the exact class name, or null for any
 * @param parentJobId only children of this job, or null
 * @param createdFrom only jobs created at or after this instant, or null
 * @param createdTo only jobs created before this instant, or null
 * @param after the cursor: only jobs older than this one, or null for the first page
 * @param limit the page size, 1 to {@value #MAX_LIMIT}
 */
public record JobQuery(TenantId tenant, Set<JobStatus> statuses, Set<JobType> types, String className,
                       JobId parentJobId, Instant createdFrom, Instant createdTo, JobId after, int limit) {
    /** The largest page. */
    public static final int MAX_LIMIT = 1000;
    /** The page size when none is given. */
    public static final int DEFAULT_LIMIT = 100;

    /** Validates the query. */
    public JobQuery {
        Objects.requireNonNull(tenant, "tenant");
        statuses = statuses == null || statuses.isEmpty() ? Set.of() : Set.copyOf(EnumSet.copyOf(statuses));
        types = types == null || types.isEmpty() ? Set.of() : Set.copyOf(EnumSet.copyOf(types));
        if (limit < 1 || limit > MAX_LIMIT) {
            throw new IllegalArgumentException("limit " + limit + " is out of range: expected 1 to " + MAX_LIMIT);
        }
        if (createdFrom != null && createdTo != null && createdTo.isBefore(createdFrom)) {
            throw new IllegalArgumentException("createdTo " + createdTo + " is before createdFrom " + createdFrom
                    + ": expected an empty or forward range");
        }
    }

    /** A query over a tenant's jobs; narrow it with the builder. */
    public static Builder forTenant(TenantId tenant) {
        return new Builder(tenant);
    }

    /** The cursor, if this query continues a previous page. */
    public Optional<JobId> cursor() {
        return Optional.ofNullable(after);
    }

    /** Builds a {@link JobQuery}. */
    public static final class Builder {
        private final TenantId tenant;
        private Set<JobStatus> statuses = Set.of();
        private Set<JobType> types = Set.of();
        private String className;
        private JobId parentJobId;
        private Instant createdFrom;
        private Instant createdTo;
        private JobId after;
        private int limit = DEFAULT_LIMIT;

        private Builder(TenantId tenant) {
            this.tenant = Objects.requireNonNull(tenant, "tenant");
        }

        /** Only these statuses. */
        public Builder status(JobStatus... statuses) {
            this.statuses = Set.of(statuses);
            return this;
        }

        /** Only these types. */
        public Builder type(JobType... types) {
            this.types = Set.of(types);
            return this;
        }

        /** Only this class. */
        public Builder className(String className) {
            this.className = className;
            return this;
        }

        /** Only children of this job. */
        public Builder parent(JobId parentJobId) {
            this.parentJobId = parentJobId;
            return this;
        }

        /** Only jobs created in {@code [from, to)}; either end may be null. */
        public Builder createdBetween(Instant from, Instant to) {
            this.createdFrom = from;
            this.createdTo = to;
            return this;
        }

        /** Continue after this job (the previous page's cursor). */
        public Builder after(JobId cursor) {
            this.after = cursor;
            return this;
        }

        /** The page size. */
        public Builder limit(int limit) {
            this.limit = limit;
            return this;
        }

        /** The query. */
        public JobQuery build() {
            return new JobQuery(tenant, statuses, types, className, parentJobId, createdFrom, createdTo, after, limit);
        }
    }
}
