package dev.millrace.examples.demo;

import dev.millrace.JobId;
import dev.millrace.JobLogEntry;
import dev.millrace.JobQuery;
import dev.millrace.JobRecord;
import dev.millrace.JobStatus;
import dev.millrace.JobType;
import dev.millrace.Millrace;
import dev.millrace.TenantId;
import dev.millrace.batch.BatchError;
import dev.millrace.event.ChannelDefinition;
import dev.millrace.event.FieldType;
import dev.millrace.event.Subscription;
import dev.millrace.schedule.ScheduleId;
import dev.millrace.schedule.ScheduleRecord;

import java.time.Duration;
import java.time.Instant;
import java.time.LocalDate;
import java.time.ZoneId;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Objects;
import java.util.Optional;

/**
 * The demo's work beside its mix of queueables, futures and finalizers, so that each part of the platform has
 * something real to show. Per tenant:
 * <ul>
 *   <li>two schedules of {@link NightlyReconciliation}: {@value #NIGHTLY_SCHEDULE} at 02:00 and
 *       {@value #INTRADAY_SCHEDULE} every minute (so it visibly fires while the demo runs); each fire starts a
 *       {@link ReconcileLedger} batch. The demo also runs the nightly one at once;</li>
 *   <li>that batch reconciles {@value #LEDGER_ENTRIES} ledger entries from an iterable, {@value #LEDGER_SCOPE} per
 *       chunk, keeping a stateful total; two entries have no settlement, so two chunks fail;</li>
 *   <li>the channel {@value #PAYMENT_CHANNEL}, which a {@link CapturePayments} job publishes to, and the
 *       subscription {@value #SUBSCRIPTION}, whose {@link RecordPayments} handler books each payment;</li>
 *   <li>the feature flag {@value #DUNNING_FLAG}, bound to {@link SendDunningReminders}: on for every tenant but
 *       the last, whose reminders wait HOLDING.</li>
 * </ul>
 * Schedules, channels, subscriptions and flags are created once and reused by later runs on the same store.
 *
 * <p>A schedulable's context can enqueue queueables but not start batches, which are started on the node
 * ({@link Millrace#executeBatch}); so {@link #start} remembers the node for {@link NightlyReconciliation}, the way
 * an application keeps its one node in a field.
 */
public final class DemoFeatures {
    /** The channel of captured payments. */
    public static final String PAYMENT_CHANNEL = "PaymentEvent";
    /** The subscription that books payments. */
    public static final String SUBSCRIPTION = "cash-book";
    /** The flag the dunning reminders are bound to. */
    public static final String DUNNING_FLAG = "dunning-reminders";
    /** The nightly schedule's name. */
    public static final String NIGHTLY_SCHEDULE = "nightly-ledger-reconciliation";
    /** The nightly schedule's cron: 02:00 every day. */
    public static final String NIGHTLY_CRON = "0 0 2 * * ?";
    /** The every-minute schedule's name. */
    public static final String INTRADAY_SCHEDULE = "intraday-ledger-reconciliation";
    /** The every-minute schedule's cron. */
    public static final String INTRADAY_CRON = "0 * * * * ?";
    /** Ledger entries of the nightly reconciliation. */
    public static final int LEDGER_ENTRIES = 2_000;
    /** Ledger entries of an intraday reconciliation: the day so far. */
    public static final int INTRADAY_ENTRIES = 400;
    /** Entries per chunk. */
    public static final int LEDGER_SCOPE = 200;
    /** Every how many entries one has no settlement: two of the nightly batch's ten chunks fail. */
    public static final int UNMATCHED_EVERY = 900;
    /** Payments each tenant's capture job publishes. */
    public static final int PAYMENTS = 20;
    /** Dunning reminder jobs per tenant. */
    public static final int DUNNING_JOBS = 3;

    private static final java.time.format.DateTimeFormatter TIME = java.time.format.DateTimeFormatter
            .ofPattern("HH:mm:ss 'UTC'", Locale.ROOT).withZone(ZoneOffset.UTC);

    private static volatile Millrace node;

    private DemoFeatures() {
    }

    /**
     * What {@link #start} did for one tenant.
     *
     * @param tenant the tenant
     * @param nightlyRun the SCHEDULED job that runs the nightly reconciliation now
     * @param capture the job that publishes the payment events
     * @param dunning the dunning reminder jobs
     * @param dunningOn whether the tenant's dunning flag is on
     * @param bookedBefore payments this process's handler had booked for the tenant before (an earlier run's)
     */
    public record Started(TenantId tenant, JobId nightlyRun, JobId capture, List<JobId> dunning, boolean dunningOn,
                          int bookedBefore) {
        /** Copies the list. */
        public Started {
            dunning = List.copyOf(dunning);
        }
    }

    /** Registers the classes and the flag binding on a node's builder. */
    public static Millrace.Builder register(Millrace.Builder builder) {
        return builder.register(ReconcileLedger.class)
                .register(NightlyReconciliation.class)
                .register(CapturePayments.class)
                .register(SendDunningReminders.class)
                .registerHandler(RecordPayments.class)
                .bindToFlag(SendDunningReminders.class, DUNNING_FLAG);
    }

    /** The node schedules start their batches on. */
    static Millrace node() {
        Millrace m = node;
        if (m == null) {
            throw new IllegalStateException("no demo node: expected DemoFeatures.start(millrace, ...) before the"
                    + " reconciliation schedules fire");
        }
        return m;
    }

    /** The reconciliation period of a fire time: its day, in UTC. */
    static String periodOf(Instant fireTime) {
        return LocalDate.ofInstant(fireTime, ZoneOffset.UTC).toString();
    }

    /**
     * Sets up each tenant's channel, subscription, flag and schedules (reusing those of an earlier run), runs the
     * nightly reconciliation now, and enqueues the payment capture and the dunning reminders. The tenants must
     * exist; the last one's dunning flag is off.
     *
     * @param gateways each tenant's payment gateway, in the order of {@code tenants}
     */
    public static List<Started> start(Millrace millrace, List<TenantId> tenants, List<String> gateways) {
        node = Objects.requireNonNull(millrace, "millrace");
        List<Started> started = new ArrayList<>();
        for (int i = 0; i < tenants.size(); i++) {
            TenantId t = tenants.get(i);
            boolean dunningOn = i < tenants.size() - 1;
            millrace.events().declare(t, ChannelDefinition.named(PAYMENT_CHANNEL)
                    .field("paymentId", FieldType.ID, true)
                    .field("customer", FieldType.STRING, true)
                    .field("amount", FieldType.NUMBER, true));
            millrace.events().subscribe(t, Subscription.of(SUBSCRIPTION, PAYMENT_CHANNEL, RecordPayments.class)
                    .withBatchSize(50));
            millrace.flags().set(t, DUNNING_FLAG, dunningOn);
            int bookedBefore = RecordPayments.book(t).payments();
            ScheduleId nightly = scheduleOnce(millrace, t, NIGHTLY_SCHEDULE, NIGHTLY_CRON,
                    new NightlyReconciliation(LEDGER_ENTRIES, UNMATCHED_EVERY));
            scheduleOnce(millrace, t, INTRADAY_SCHEDULE, INTRADAY_CRON,
                    new NightlyReconciliation(INTRADAY_ENTRIES, UNMATCHED_EVERY));
            JobId nightlyRun = millrace.schedules().runNow(t, nightly);
            JobId capture = millrace.enqueue(t, new CapturePayments(gateways.get(i), PAYMENTS));
            List<JobId> dunning = new ArrayList<>();
            for (int page = 1; page <= DUNNING_JOBS; page++) {
                dunning.add(millrace.enqueue(t, new SendDunningReminders(page)));
            }
            started.add(new Started(t, nightlyRun, capture, dunning, dunningOn, bookedBefore));
        }
        return started;
    }

    private static ScheduleId scheduleOnce(Millrace millrace, TenantId t, String name, String cron,
                                           NightlyReconciliation work) {
        Optional<ScheduleRecord> existing = millrace.schedules().findByName(t, name);
        return existing.isPresent() ? existing.get().id()
                : millrace.schedule(t, name, cron, work, ZoneId.of("UTC"));
    }

    /**
     * Waits until what {@link #start} began has settled: each nightly batch has ended, each capture has ended and
     * its payments were booked, and the reminders of tenants whose flag is on have ended.
     *
     * @return whether it settled within the timeout
     */
    public static boolean awaitSettled(Millrace millrace, List<Started> started, Duration timeout)
            throws InterruptedException {
        Instant deadline = Instant.now().plus(timeout);
        while (true) {
            if (started.stream().allMatch(s -> settled(millrace, s))) return true;
            if (Instant.now().isAfter(deadline)) return false;
            Thread.sleep(100);
        }
    }

    private static boolean settled(Millrace m, Started s) {
        Optional<JobRecord> batch = batchOf(m, s);
        if (batch.isEmpty() || !batch.get().status().isTerminal()) return false;
        if (!ended(m, s.tenant(), s.capture())) return false;
        if (status(m, s.tenant(), s.capture()) == JobStatus.COMPLETED
                && booked(s) < PAYMENTS) {
            return false;
        }
        return !s.dunningOn() || s.dunning().stream().allMatch(id -> ended(m, s.tenant(), id));
    }

    /** Payments the handler booked for the tenant since {@link #start}. */
    public static int booked(Started s) {
        return RecordPayments.book(s.tenant()).payments() - s.bookedBefore();
    }

    /** The batch the nightly run started, once it has. */
    public static Optional<JobRecord> batchOf(Millrace m, Started s) {
        return m.jobs().find(JobQuery.forTenant(s.tenant()).parent(s.nightlyRun()).type(JobType.BATCH).limit(1)
                .build()).jobs().stream().findFirst();
    }

    private static boolean ended(Millrace m, TenantId t, JobId id) {
        JobStatus s = status(m, t, id);
        return s != null && s.isTerminal();
    }

    private static JobStatus status(Millrace m, TenantId t, JobId id) {
        return m.jobs().find(t, id).map(JobRecord::status).orElse(null);
    }

    /**
     * The summary's lines for these tenants: the schedules, then per tenant the batch and its chunk errors, the
     * payment events and what was booked, and the flag's effect.
     */
    public static List<String> report(Millrace m, List<Started> started) {
        List<String> lines = new ArrayList<>();
        long fired = 0;
        Instant next = null;
        for (Started s : started) {
            for (ScheduleRecord r : m.schedules().list(s.tenant())) {
                if (!r.name().equals(INTRADAY_SCHEDULE)) continue;
                fired += r.fireCount();
                if (r.nextFireTime() != null && (next == null || r.nextFireTime().isBefore(next))) {
                    next = r.nextFireTime();
                }
            }
        }
        lines.add("  Schedules per tenant, each starting a ReconcileLedger batch: " + NIGHTLY_SCHEDULE + " ("
                + NIGHTLY_CRON + "), run once now,");
        lines.add(String.format(Locale.ROOT, "  and %s (%s): fired %,d× so far, next at %s.", INTRADAY_SCHEDULE,
                INTRADAY_CRON, fired, next == null ? "-" : TIME.format(next)));
        for (Started s : started) {
            TenantId t = s.tenant();
            String head = String.format(Locale.ROOT, "  %-9s", t.value());
            String indent = " ".repeat(head.length());
            Optional<JobRecord> batch = batchOf(m, s);
            if (batch.isEmpty()) {
                lines.add(head + "batch: not started by the nightly run " + s.nightlyRun() + " ("
                        + status(m, t, s.nightlyRun()) + ")");
            } else {
                JobRecord b = batch.get();
                List<JobRecord> chunks = m.batches().chunks(t, b.id());
                long failed = chunks.stream().filter(c -> c.status() == JobStatus.FAILED).count();
                lines.add(String.format(Locale.ROOT, "%sbatch %s %s, %d chunks of %d, %d failed: %s", head, b.id(),
                        b.status(), chunks.size(), LEDGER_SCOPE, failed, finishMessage(m, t, b.id())));
                for (BatchError e : m.batches().errors(t, b.id())) {
                    lines.add(indent + "  chunk error: " + simpleName(e.exceptionType()) + ": " + e.message());
                }
            }
            lines.add(String.format(Locale.ROOT, "%s%s: CapturePayments (%s) published %d, subscription %s booked %d"
                            + " (%,.2f in all so far)", indent, PAYMENT_CHANNEL, status(m, t, s.capture()), PAYMENTS,
                    SUBSCRIPTION, booked(s), RecordPayments.book(t).total()));
            String dunning = s.dunning().stream().map(id -> String.valueOf(status(m, t, id))).distinct()
                    .reduce((a, b) -> a + "/" + b).orElse("");
            lines.add(String.format(Locale.ROOT, "%sflag %s %s: %d SendDunningReminders %s%s", indent, DUNNING_FLAG,
                    s.dunningOn() ? "on" : "off", s.dunning().size(), dunning,
                    s.dunningOn() ? "" : " until it is switched on"));
        }
        return lines;
    }

    /** What the batch's finish logged: its stateful total. */
    private static String finishMessage(Millrace m, TenantId t, JobId batch) {
        List<JobLogEntry> log = m.jobs().log(t, batch);
        return log.stream().map(JobLogEntry::message).filter(msg -> msg.startsWith("reconciled ")).findFirst()
                .orElse("no total logged");
    }

    private static String simpleName(String className) {
        return className == null ? "?" : className.substring(className.lastIndexOf('.') + 1);
    }
}
