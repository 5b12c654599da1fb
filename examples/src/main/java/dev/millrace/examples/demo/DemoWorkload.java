package dev.millrace.examples.demo;

import dev.millrace.AsyncOptions;
import dev.millrace.DuplicateJobException;
import dev.millrace.JobId;
import dev.millrace.Millrace;
import dev.millrace.Queueable;
import dev.millrace.TenantId;

import java.math.BigDecimal;
import java.time.Duration;
import java.time.YearMonth;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import java.util.function.Consumer;

/**
 * The demo's mix of work for three tenants of different sizes, planned for a size and enqueued in one call.
 * The plan is deterministic: the same size gives the same jobs, the same failures and the same retries, so
 * it also knows exactly how many jobs the run will make once chains, futures, finalizers and retries are
 * counted, and a caller can check that every one of them ended.
 *
 * <p>Per tenant, the plan enqueues:
 * <ul>
 *   <li>invoice chains of 2 to 4 pages, each page e-mailing its invoices through a future;</li>
 *   <li>settlement batches to sync from the tenant's payment gateway, which fail 0, 1 or 2 times in turn
 *       and are retried by their finalizer, plus one batch whose gateway stays down past every retry;</li>
 *   <li>receipt batches, each calling one future per payment;</li>
 *   <li>a future called directly, a ledger export that always fails, and a tax recalculation whose
 *       duplicate request is refused.</li>
 * </ul>
 *
 * <pre>{@code
 * DemoWorkload plan = DemoWorkload.of(2_000);
 * try (Millrace m = DemoWorkload.register(Millrace.builder()).build().start()) {
 *     DemoWorkload.Enqueued done = plan.enqueue(m, "BR-1");
 *     // … wait until plan.expectedJobs() jobs created since the run began have ended
 * }
 * }</pre>
 */
public final class DemoWorkload {
    /** The smallest size: each tenant's fixed jobs, and a little of everything else. */
    public static final int MIN_JOBS = 60;
    /** The largest size the demo plans. */
    public static final int MAX_JOBS = 1_000_000;
    /** How long a tax recalculation waits before it runs; the duplicate request arrives well within it. */
    public static final Duration TAX_DELAY = Duration.ofSeconds(2);
    /** How many times a failed payment sync is retried by its finalizer before it gives up. */
    public static final int PAYMENT_MAX_RETRIES = 3;
    /** The deepest invoice chain allowed: a guard against a runaway chain, well above the 4 pages planned. */
    public static final int INVOICE_MAX_STACK_DEPTH = 10;

    /** The tenants and their share of the work, largest first. */
    private static final List<Share> SHARES = List.of(
            new Share(TenantId.of("acme"), 6, "EU", "adyen-eu"),
            new Share(TenantId.of("globex"), 3, "US", "stripe-us"),
            new Share(TenantId.of("initech"), 1, "UK", "worldpay-uk"));
    private static final int TOTAL_WEIGHT = SHARES.stream().mapToInt(Share::weight).sum();
    /**
     * Jobs each tenant makes whatever the size: the announcement future, the ledger export, the tax
     * recalculation (its duplicate makes none) and the batch whose gateway stays down.
     */
    private static final int FIXED_JOBS_PER_TENANT = 1 + 1 + 1
            + SyncPayments.jobsPerBatch(Integer.MAX_VALUE, PAYMENT_MAX_RETRIES);

    private record Share(TenantId tenant, int weight, String taxRegion, String gateway) {
    }

    /**
     * One tenant's part of the plan.
     *
     * @param tenant the tenant
     * @param taxRegion the region whose tax rates it recalculates
     * @param gateway the payment gateway it syncs from
     * @param invoiceChains how many invoice chains (2 to 4 pages each) it enqueues
     * @param paymentSyncs how many settlement batches it syncs (besides the one the gateway outage fails)
     * @param receiptBatches the size of each receipt batch it enqueues
     * @param expectedJobs every job the tenant's part makes, children, futures, finalizers and retries included
     */
    public record TenantPlan(TenantId tenant, String taxRegion, String gateway, int invoiceChains, int paymentSyncs,
                             List<Integer> receiptBatches, int expectedJobs) {
        /** Copies the batch sizes. */
        public TenantPlan {
            receiptBatches = List.copyOf(receiptBatches);
        }
    }

    /**
     * What enqueueing the plan did.
     *
     * @param rootJobs the jobs enqueued directly (the rest are made by jobs as they run)
     * @param refusals the duplicate requests refused, one per tenant, with the platform's message
     * @param expectedJobs every job this enqueue will make: the plan's count, less the tax recalculations not
     *                     created because one of an earlier run was still active (its signature was taken)
     */
    public record Enqueued(List<JobId> rootJobs, List<Refusal> refusals, int expectedJobs) {
        /** Copies the lists. */
        public Enqueued {
            rootJobs = List.copyOf(rootJobs);
            refusals = List.copyOf(refusals);
        }
    }

    /**
     * A request the platform refused at enqueue.
     *
     * @param tenant the tenant that asked
     * @param message the refusal's message
     * @param ofFirstRequest whether the first request was refused, because an active job of an earlier run
     *                       held the signature (then this run has no recalculation of its own)
     */
    public record Refusal(TenantId tenant, String message, boolean ofFirstRequest) {
    }

    private final List<TenantPlan> plans;

    private DemoWorkload(List<TenantPlan> plans) {
        this.plans = List.copyOf(plans);
    }

    /**
     * Plans about {@code jobs} jobs in all, split 6 : 3 : 1 between acme, globex and initech. Each tenant's
     * share goes half to invoice chains, 30 % to payment syncs and the rest to receipts, which fill it exactly.
     *
     * @throws IllegalArgumentException when {@code jobs} is outside {@value #MIN_JOBS} to {@value #MAX_JOBS}
     */
    public static DemoWorkload of(int jobs) {
        if (jobs < MIN_JOBS || jobs > MAX_JOBS) {
            throw new IllegalArgumentException("jobs " + jobs + " is out of range: expected " + MIN_JOBS + " to "
                    + MAX_JOBS);
        }
        List<TenantPlan> plans = new ArrayList<>();
        for (Share s : SHARES) {
            int budget = Math.max(0, (int) ((long) jobs * s.weight() / TOTAL_WEIGHT) - FIXED_JOBS_PER_TENANT);
            int chains = budget / 2 / 6;
            int chainJobs = 0;
            for (int i = 0; i < chains; i++) chainJobs += GenerateInvoices.jobsPerChain(pagesOf(i));
            int syncs = budget * 3 / 10 / 4;
            int syncJobs = 0;
            for (int i = 0; i < syncs; i++) syncJobs += SyncPayments.jobsPerBatch(failuresOf(i), PAYMENT_MAX_RETRIES);
            List<Integer> receiptBatches = new ArrayList<>();
            int receiptJobs = 0;
            // A batch of n payments makes n + 1 jobs, so any remainder of 2 or more can be filled exactly.
            for (int left = budget - chainJobs - syncJobs; left >= 2; ) {
                int n = Math.min(SendPaymentReceipts.MAX_BATCH, left - 1);
                receiptBatches.add(n);
                receiptJobs += SendPaymentReceipts.jobsPerBatch(n);
                left -= SendPaymentReceipts.jobsPerBatch(n);
            }
            int expected = chainJobs + syncJobs + receiptJobs + FIXED_JOBS_PER_TENANT;
            plans.add(new TenantPlan(s.tenant(), s.taxRegion(), s.gateway(), chains, syncs, receiptBatches, expected));
        }
        return new DemoWorkload(plans);
    }

    /**
     * Registers every job, finalizer and future class of the demo, and those of {@link DemoFeatures} (batch,
     * schedules, event handler, flag binding).
     */
    public static Millrace.Builder register(Millrace.Builder builder) {
        return DemoFeatures.register(builder).register(GenerateInvoices.class)
                .register(SyncPayments.class)
                .register(PaymentSyncRetry.class)
                .register(SendPaymentReceipts.class)
                .register(ExportLedger.class)
                .register(RecalculateTaxRates.class)
                .registerFutures(CustomerNotifications.class);
    }

    /** Each tenant's part, largest first. */
    public List<TenantPlan> tenants() {
        return plans;
    }

    /** The queueable classes of the demo, for a server that lets them be enqueued over HTTP. */
    public static List<Class<? extends dev.millrace.Queueable>> jobTypes() {
        return List.of(GenerateInvoices.class, SyncPayments.class, SendPaymentReceipts.class, ExportLedger.class,
                RecalculateTaxRates.class, CapturePayments.class, SendDunningReminders.class);
    }

    /** The batch classes of the demo, for a server that lets them be submitted and scheduled over HTTP. */
    public static List<Class<? extends dev.millrace.batch.Batchable<?>>> batchTypes() {
        return List.of(ReconcileLedger.class);
    }

    /** Each tenant's payment gateway, in the order of {@link #tenantIds()}. */
    public List<String> gateways() {
        return plans.stream().map(TenantPlan::gateway).toList();
    }

    /** The demo's tenants, largest first. */
    public List<TenantId> tenantIds() {
        return plans.stream().map(TenantPlan::tenant).toList();
    }

    /** Every job the plan makes once it has run to the end. */
    public int expectedJobs() {
        return plans.stream().mapToInt(TenantPlan::expectedJobs).sum();
    }

    /**
     * Creates the tenants if needed and enqueues the plan, tenant by tenant, largest first: the smaller
     * tenants' jobs arrive behind the large one's backlog, which fair claiming must not make them wait out.
     * Jobs of one kind go in one transaction each ({@link Millrace#enqueueAll}), as a real import would.
     *
     * @param millrace the node (or client) to enqueue through
     * @param billingRun a label for this run, carried in the jobs' state and logs
     */
    public Enqueued enqueue(Millrace millrace, String billingRun) {
        return enqueue(millrace, billingRun, id -> { });
    }

    /**
     * Enqueues the plan like {@link #enqueue(Millrace, String)}, telling {@code onRoot} each job's id as soon
     * as it is enqueued, so a watcher on another thread can follow the run while it is still being enqueued.
     */
    public Enqueued enqueue(Millrace millrace, String billingRun, Consumer<JobId> onRoot) {
        Objects.requireNonNull(billingRun, "billingRun");
        Objects.requireNonNull(onRoot, "onRoot");
        Roots roots = new Roots(onRoot);
        List<Refusal> refusals = new ArrayList<>();
        int expected = expectedJobs();
        String ledgerPeriod = YearMonth.now(ZoneOffset.UTC).minusMonths(1).toString();
        for (TenantPlan p : plans) millrace.tenants().create(p.tenant());
        for (TenantPlan p : plans) {
            TenantId t = p.tenant();
            roots.add(millrace.enqueueFuture(t, CustomerNotifications.class, "announceBillingRun", billingRun));
            Refusal refusal = enqueueTaxRecalculation(millrace, p, roots);
            refusals.add(refusal);
            if (refusal.ofFirstRequest()) expected--;

            List<Queueable> chains = new ArrayList<>(p.invoiceChains());
            for (int i = 0; i < p.invoiceChains(); i++) {
                chains.add(GenerateInvoices.firstPage(billingRun, "segment-" + (i + 1), pagesOf(i), 25));
            }
            roots.addAll(enqueueAll(millrace, t, chains,
                    AsyncOptions.builder().maximumStackDepth(INVOICE_MAX_STACK_DEPTH).build()));

            List<Queueable> syncs = new ArrayList<>(p.paymentSyncs() + 1);
            for (int i = 0; i < p.paymentSyncs(); i++) {
                syncs.add(SyncPayments.firstAttempt(p.gateway(), i + 1, failuresOf(i), PAYMENT_MAX_RETRIES));
            }
            // The gateway's maintenance window outlasts every retry: this batch gives up.
            syncs.add(SyncPayments.firstAttempt(p.gateway() + "-maintenance", 0, Integer.MAX_VALUE,
                    PAYMENT_MAX_RETRIES));
            roots.addAll(enqueueAll(millrace, t, syncs, AsyncOptions.none()));

            List<Queueable> receipts = new ArrayList<>(p.receiptBatches().size());
            int customer = 10_001;
            for (int size : p.receiptBatches()) {
                List<SendPaymentReceipts.Payment> payments = new ArrayList<>(size);
                for (int i = 0; i < size; i++, customer++) {
                    payments.add(new SendPaymentReceipts.Payment("C-" + customer,
                            BigDecimal.valueOf(1_999 + 37L * (customer % 100), 2)));
                }
                receipts.add(new SendPaymentReceipts(payments));
            }
            roots.addAll(enqueueAll(millrace, t, receipts, AsyncOptions.none()));

            roots.add(millrace.enqueue(t, new ExportLedger(ledgerPeriod)));
        }
        return new Enqueued(roots.ids, refusals, expected);
    }

    private static List<JobId> enqueueAll(Millrace millrace, TenantId tenant, List<Queueable> jobs,
                                          AsyncOptions options) {
        return jobs.isEmpty() ? List.of() : millrace.enqueueAll(tenant, jobs, options);
    }

    /**
     * Enqueues the recalculation, then the same request again, which the platform refuses. When an earlier
     * run left its recalculation queued (it was interrupted), the first request is the one refused.
     */
    private static Refusal enqueueTaxRecalculation(Millrace millrace, TenantPlan p, Roots roots) {
        AsyncOptions options = RecalculateTaxRates.options(p.taxRegion(), TAX_DELAY);
        try {
            roots.add(millrace.enqueue(p.tenant(), new RecalculateTaxRates(p.taxRegion()), options));
        } catch (DuplicateJobException e) {
            return new Refusal(p.tenant(), e.getMessage(), true);
        }
        try {
            JobId second = millrace.enqueue(p.tenant(), new RecalculateTaxRates(p.taxRegion()), options);
            throw new IllegalStateException("the duplicate tax recalculation of tenant '" + p.tenant()
                    + "' was accepted as job " + second + ": expected DuplicateJobException (QUE-7)");
        } catch (DuplicateJobException e) {
            return new Refusal(p.tenant(), e.getMessage(), false);
        }
    }

    /** The jobs enqueued so far, each told to the caller's listener as it is added. */
    private static final class Roots {
        private final List<JobId> ids = new ArrayList<>();
        private final Consumer<JobId> onRoot;

        Roots(Consumer<JobId> onRoot) {
            this.onRoot = onRoot;
        }

        void add(JobId id) {
            ids.add(id);
            onRoot.accept(id);
        }

        void addAll(List<JobId> more) {
            more.forEach(this::add);
        }
    }

    /** Invoice chains are 2, 3 or 4 pages long, in turn. */
    private static int pagesOf(int chain) {
        return 2 + chain % 3;
    }

    /** Settlement batches fail 0, 1 or 2 times before they sync, in turn. */
    private static int failuresOf(int batch) {
        return batch % 3;
    }
}
