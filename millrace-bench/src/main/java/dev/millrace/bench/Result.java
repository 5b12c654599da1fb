package dev.millrace.bench;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.ObjectMapper;
import org.HdrHistogram.Histogram;

import java.util.LinkedHashMap;
import java.util.Map;

/**
 * One measurement's figures, printed as a single line {@code RESULT {json}} that scripts can grep. Every
 * result names the workload, the database and the setup it ran with, so a line is meaningful on its own.
 */
final class Result {
    private static final ObjectMapper JSON = new ObjectMapper();
    private final Map<String, Object> fields = new LinkedHashMap<>();

    private Result(String workload, BenchOptions o, BenchDb db, long jobs) {
        fields.put("workload", workload);
        fields.put("db", db.describe());
        fields.put("jobs", jobs);
        fields.put("workers", o.workers);
        fields.put("batch", o.batch);
        fields.put("tenants", o.tenants);
    }

    static Result of(String workload, BenchOptions o, BenchDb db, long jobs) {
        return new Result(workload, o, db, jobs);
    }

    Result put(String key, Object value) {
        fields.put(key, value instanceof Double d ? round(d) : value);
        return this;
    }

    /** Puts p50, p99 and max of a histogram of microseconds, in milliseconds, under {@code prefix}. */
    Result putLatency(String prefix, Histogram micros) {
        put(prefix + (prefix.isEmpty() ? "p50Ms" : "P50Ms"), millis(micros, 50));
        put(prefix + (prefix.isEmpty() ? "p99Ms" : "P99Ms"), millis(micros, 99));
        put(prefix + (prefix.isEmpty() ? "maxMs" : "MaxMs"), micros.getMaxValue() / 1000.0);
        return this;
    }

    /** Puts Millrace's rate, the baseline's, their ratio and whether the ratio meets the target. */
    Result putRatio(double jobsPerSec, double baselineJobsPerSec, double target) {
        double ratio = jobsPerSec / baselineJobsPerSec;
        put("jobsPerSec", jobsPerSec);
        put("baselineJobsPerSec", baselineJobsPerSec);
        put("ratio", ratio);
        put("target", ">= " + target + " x baseline");
        put("met", ratio >= target);
        return this;
    }

    static double millis(Histogram micros, double percentile) {
        return micros.getTotalCount() == 0 ? Double.NaN : micros.getValueAtPercentile(percentile) / 1000.0;
    }

    /** Prints the line. */
    void print() {
        try {
            System.out.println("RESULT " + JSON.writeValueAsString(fields));
        } catch (JsonProcessingException e) {
            throw new IllegalStateException(e);
        }
    }

    private static double round(double d) {
        if (Double.isNaN(d) || Double.isInfinite(d)) return d;
        double abs = Math.abs(d);
        double scale = abs >= 100 ? 1 : abs >= 1 ? 100 : 1000;
        return Math.round(d * scale) / scale;
    }
}
