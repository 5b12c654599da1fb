package dev.millrace.bench;

import picocli.CommandLine.Option;

/**
 * The options every workload shares, sized for a small (2-core) machine. A workload that needs a number the
 * user left at 0 picks its own default, so each workload finishes in a minute or two out of the box.
 */
public final class BenchOptions {
    /** The database a workload runs on. */
    public enum Db {
        /** Embedded H2 in a temporary folder (file by default, see {@code --h2-mode}). */
        h2,
        /** PostgreSQL at {@code --pg-url}, in a schema of the run's own that is dropped at the end. */
        postgres
    }

    /** Where H2 keeps its data. */
    public enum H2Mode {
        /** A database file in a temporary folder: Millrace's embedded default. */
        file,
        /** In memory. */
        mem
    }

    @Option(names = "--db", defaultValue = "postgres", description = "h2 or postgres (default: ${DEFAULT-VALUE}).")
    Db db;

    @Option(names = "--jobs", defaultValue = "0",
            description = "Jobs per measured system; 0 takes the workload's default (shown in its --help).")
    int jobs;

    @Option(names = "--workers", defaultValue = "8", description = "Worker threads, for Millrace and the baseline alike "
            + "(default: ${DEFAULT-VALUE}).")
    int workers;

    @Option(names = "--batch", defaultValue = "64", description = "Most jobs claimed in one statement, for both "
            + "(default: ${DEFAULT-VALUE}).")
    int batch;

    @Option(names = "--tenants", defaultValue = "1", description = "Tenants the jobs are spread over "
            + "(default: ${DEFAULT-VALUE}; fairness always uses its two tenants A and B).")
    int tenants;

    @Option(names = "--producers", defaultValue = "0",
            description = "Enqueuing threads; 0 takes the workload's default.")
    int producers;

    @Option(names = "--rounds", defaultValue = "2", description = "Measured rounds per system, Millrace and the "
            + "baseline alternating, so a noisy neighbour hurts both alike (default: ${DEFAULT-VALUE}).")
    int rounds;

    @Option(names = "--pg-url", defaultValue = "jdbc:postgresql://127.0.0.1:5432/test",
            description = "PostgreSQL JDBC URL (default: ${DEFAULT-VALUE}).")
    String pgUrl;

    @Option(names = "--pg-user", defaultValue = "postgres", description = "PostgreSQL user (default: ${DEFAULT-VALUE}).")
    String pgUser;

    @Option(names = "--pg-password", defaultValue = "", description = "PostgreSQL password (default: empty).")
    String pgPassword;

    @Option(names = "--h2-mode", defaultValue = "file", description = "file or mem (default: ${DEFAULT-VALUE}).")
    H2Mode h2Mode;

    @Option(names = "--h2-options", defaultValue = "", description = "Settings appended to the H2 URL, e.g. "
            + "';PAGE_SIZE=2048' (default: none; the bench's URL already matches the embedded default's).")
    String h2Options;

    @Option(names = "--schema-sql", description = "What-if statements run in each schema after Millrace's migrations,"
            + " separated by ';;', with $S standing for the quoted schema, e.g. 'DROP INDEX $S.mr_job_parent' to measure"
            + " what an index costs (default: none).")
    String schemaSql;

    @Option(names = "--poll-ms", defaultValue = "1000", description = "Millrace's poll interval, the safety net "
            + "behind its wake-ups (default: ${DEFAULT-VALUE}, Millrace's own default).")
    int pollMs;

    @Option(names = "--keep", description = "Keep the run's schema (or H2 folder) for inspection instead of dropping it.")
    boolean keep;

    /** The job count to use: the user's, or the workload's default when the user gave none. */
    int jobsOr(int workloadDefault) {
        return jobs > 0 ? jobs : workloadDefault;
    }

    /** The producer count to use: the user's, or the workload's default. */
    int producersOr(int workloadDefault) {
        return producers > 0 ? producers : workloadDefault;
    }

    /** Rejects numbers no workload can run with, naming the option and the allowed range. */
    void validate() {
        check("--workers", workers, 1, 1000);
        check("--batch", batch, 1, 10_000);
        check("--tenants", tenants, 1, 10_000);
        check("--rounds", rounds, 1, 100);
        check("--jobs", jobs, 0, 100_000_000);
        check("--producers", producers, 0, 256);
        check("--poll-ms", pollMs, 10, 60_000);
    }

    private static void check(String option, int value, int min, int max) {
        if (value < min || value > max) {
            throw new IllegalArgumentException(option + " " + value + " is out of range: expected " + min + " to " + max);
        }
    }
}
