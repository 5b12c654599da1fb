package dev.millrace.server.cli;

import dev.millrace.JobId;
import dev.millrace.JobRecord;
import dev.millrace.JobStatus;
import dev.millrace.JobType;
import dev.millrace.TenantId;

import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collection;
import java.util.EnumMap;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.TreeMap;
import java.util.function.Function;
import java.util.stream.Collectors;

/**
 * The numbers of one run, computed from the job rows themselves (not from what the demo believes it did):
 * counts by status and type, throughput, and queue wait per tenant, plus how the jobs came to be.
 *
 * <p>Wait is {@code startedAt − runAt}: the time a job was ready but not running. {@code runAt} is the
 * enqueue time, or the end of a delay the enqueuer asked for, which is not waiting on the platform.
 */
final class RunReport {
    /** The statuses always shown, in the order a job moves through them. */
    static final List<JobStatus> SHOWN = List.of(JobStatus.QUEUED, JobStatus.PROCESSING, JobStatus.COMPLETED,
            JobStatus.FAILED, JobStatus.ABORTED);

    /**
     * One tenant's numbers (or the whole run's).
     *
     * @param name the tenant, or "all"
     * @param jobs jobs of the run
     * @param byStatus jobs per status
     * @param byType jobs per type
     * @param jobsPerSecond ended jobs per second, from the first job's creation to the last one's end
     * @param waitP50 median wait, null when no job started
     * @param waitP99 99th percentile wait, null when no job started
     */
    record Row(String name, int jobs, Map<JobStatus, Integer> byStatus, Map<JobType, Integer> byType,
               double jobsPerSecond, Duration waitP50, Duration waitP99) {

        static Row of(String name, Collection<JobRecord> records) {
            Map<JobStatus, Integer> byStatus = new EnumMap<>(JobStatus.class);
            Map<JobType, Integer> byType = new EnumMap<>(JobType.class);
            List<Duration> waits = new ArrayList<>();
            Instant first = null;
            Instant last = null;
            int ended = 0;
            for (JobRecord j : records) {
                byStatus.merge(j.status(), 1, Integer::sum);
                byType.merge(j.type(), 1, Integer::sum);
                if (j.startedAt() != null) {
                    Duration wait = Duration.between(j.runAt(), j.startedAt());
                    waits.add(wait.isNegative() ? Duration.ZERO : wait);
                }
                if (first == null || j.createdAt().isBefore(first)) first = j.createdAt();
                if (j.status().isTerminal() && j.completedAt() != null) {
                    ended++;
                    if (last == null || j.completedAt().isAfter(last)) last = j.completedAt();
                }
            }
            double seconds = first == null || last == null ? 0 : Duration.between(first, last).toNanos() / 1e9;
            waits.sort(null);
            return new Row(name, records.size(), byStatus, byType, seconds > 0 ? ended / seconds : 0,
                    percentile(waits, 50), percentile(waits, 99));
        }
    }

    private final Map<TenantId, List<JobRecord>> jobs;
    private final List<Row> rows = new ArrayList<>();
    private final Row total;

    /** A report over each tenant's jobs of the run, in the given order. */
    RunReport(Map<TenantId, List<JobRecord>> jobsByTenant) {
        this.jobs = new LinkedHashMap<>(jobsByTenant);
        List<JobRecord> all = new ArrayList<>();
        jobs.forEach((tenant, list) -> {
            rows.add(Row.of(tenant.value(), list));
            all.addAll(list);
        });
        this.total = Row.of("all", all);
    }

    /** Each tenant's row, in order. */
    List<Row> rows() {
        return rows;
    }

    /** The whole run's row. */
    Row total() {
        return total;
    }

    /** The table of counts by status, throughput and wait. */
    String statusTable() {
        List<JobStatus> statuses = new ArrayList<>(SHOWN);
        // Batch statuses appear only when a run has batches, so the usual table stays narrow.
        for (JobStatus s : JobStatus.values()) {
            if (!statuses.contains(s) && total.byStatus().getOrDefault(s, 0) > 0) statuses.add(s);
        }
        List<String> headers = new ArrayList<>(List.of("tenant", "jobs"));
        statuses.forEach(s -> headers.add(s.name()));
        headers.addAll(List.of("jobs/s", "wait p50", "wait p99"));
        TextTable table = new TextTable(headers.toArray(String[]::new));
        for (Row r : withTotal()) {
            List<Object> cells = new ArrayList<>(List.of(r.name(), count(r.jobs())));
            statuses.forEach(s -> cells.add(count(r.byStatus().getOrDefault(s, 0))));
            cells.add(String.format(Locale.ROOT, "%,.1f", r.jobsPerSecond()));
            cells.add(duration(r.waitP50()));
            cells.add(duration(r.waitP99()));
            table.row(cells.toArray());
        }
        return table.render("  ");
    }

    /** The table of counts by job type, with a column for each type the run has. */
    String typeTable() {
        List<JobType> types = Arrays.stream(JobType.values())
                .filter(t -> total.byType().getOrDefault(t, 0) > 0).toList();
        List<String> headers = new ArrayList<>(List.of("tenant"));
        types.forEach(t -> headers.add(t.name()));
        TextTable table = new TextTable(headers.toArray(String[]::new));
        for (Row r : withTotal()) {
            List<Object> cells = new ArrayList<>(List.of(r.name()));
            types.forEach(t -> cells.add(count(r.byType().getOrDefault(t, 0))));
            table.row(cells.toArray());
        }
        return table.render("  ");
    }

    /**
     * How the run's jobs came to be, read from their parent links: enqueued from outside, chained by a
     * queueable, called as a future by a job, run as a finalizer, or enqueued by a finalizer (a retry).
     */
    String lineage() {
        Map<JobId, JobType> typeOf = new HashMap<>();
        all().forEach(j -> typeOf.put(j.id(), j.type()));
        int roots = 0;
        int chained = 0;
        int futures = 0;
        int finalizers = 0;
        int retries = 0;
        for (JobRecord j : all()) {
            JobType parent = j.parentJobId() == null ? null : typeOf.get(j.parentJobId());
            if (j.type() == JobType.FINALIZER) finalizers++;
            else if (j.parentJobId() == null) roots++;
            else if (parent == JobType.FINALIZER) retries++;
            else if (j.type() == JobType.FUTURE) futures++;
            else chained++;
        }
        return String.format(Locale.ROOT, "%,d enqueued by the demo, %,d chained by queueables, %,d futures called by"
                + " jobs, %,d finalizers, %,d retries enqueued by finalizers", roots, chained, futures, finalizers,
                retries);
    }

    /**
     * The failed jobs grouped by class: how many per tenant and the commonest error, so the on-purpose
     * failures are recognisable and anything else stands out.
     */
    List<String> failures() {
        Map<String, List<JobRecord>> byClass = all().stream()
                .filter(j -> j.status() == JobStatus.FAILED)
                .collect(Collectors.groupingBy(j -> simpleName(j.className()), TreeMap::new, Collectors.toList()));
        List<String> lines = new ArrayList<>();
        byClass.forEach((cls, failed) -> {
            String perTenant = failed.stream()
                    .collect(Collectors.groupingBy(j -> j.tenant().value(), LinkedHashMap::new, Collectors.counting()))
                    .entrySet().stream().map(e -> e.getKey() + " " + e.getValue()).collect(Collectors.joining(", "));
            String error = failed.stream()
                    .map(j -> j.extendedStatus() == null ? "(no error recorded)"
                            : shortenClassNames(j.extendedStatus()))
                    .collect(Collectors.groupingBy(Function.identity(), Collectors.counting()))
                    .entrySet().stream().max(Map.Entry.comparingByValue()).map(Map.Entry::getKey).orElse("");
            lines.add(String.format(Locale.ROOT, "%s ×%,d (%s): %s", cls, failed.size(), perTenant, error));
        });
        return lines;
    }

    private List<Row> withTotal() {
        List<Row> out = new ArrayList<>(rows);
        out.add(total);
        return out;
    }

    private List<JobRecord> all() {
        return jobs.values().stream().flatMap(List::stream).toList();
    }

    /** The nearest-rank percentile of sorted durations, or null for none. */
    static Duration percentile(List<Duration> sorted, int p) {
        if (sorted.isEmpty()) return null;
        int rank = (int) Math.ceil(p / 100.0 * sorted.size());
        return sorted.get(Math.max(0, rank - 1));
    }

    /** A count with thousands separators. */
    static String count(long n) {
        return String.format(Locale.ROOT, "%,d", n);
    }

    /** A duration for people: milliseconds under a second, then seconds, then minutes. */
    static String duration(Duration d) {
        if (d == null) return "-";
        long ms = d.toMillis();
        if (ms < 1_000) return ms + " ms";
        if (ms < 60_000) return String.format(Locale.ROOT, "%.1f s", ms / 1000.0);
        return String.format(Locale.ROOT, "%dm %02ds", d.toMinutes(), d.toSecondsPart());
    }

    /** {@code a.b.C$D} → {@code C$D}. */
    static String simpleName(String className) {
        return className.substring(className.lastIndexOf('.') + 1);
    }

    /** Drops package names from class names in an error text, which the full names make hard to read. */
    static String shortenClassNames(String text) {
        return text.replaceAll("\\b(?:[a-z_][a-z0-9_]*\\.)+([A-Z][A-Za-z0-9_$]*)", "$1");
    }
}
