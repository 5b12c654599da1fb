package dev.millrace.step;

import com.fasterxml.jackson.annotation.JsonTypeInfo;
import dev.millrace.Finalizer;
import dev.millrace.FinalizerContext;
import dev.millrace.JobError;
import dev.millrace.JobId;
import dev.millrace.JobStatus;
import dev.millrace.Millrace;
import dev.millrace.ParentJobResult;
import dev.millrace.Queueable;
import dev.millrace.QueueableContext;
import dev.millrace.TenantId;
import dev.millrace.TenantPolicy;
import dev.millrace.internal.engine.Executions;

import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import java.util.Optional;

/**
 * A workflow of {@link Step}s run one execution at a time (SPEC.md STEP): each execution of a step is one queueable
 * job, and the workflow attaches itself as that job's finalizer. When the execution succeeds the finalizer calls the
 * step's {@code finalize}, then enqueues the workflow again: for the same step while {@link Step#shouldRestart()},
 * else for the next step, until none is left. When an execution throws, the workflow stops there: that job is
 * {@link JobStatus#FAILED}, its extended status names the workflow and the step, and no later step runs (unless
 * {@link #retryFailedSteps(int)} allows retries).
 *
 * <p>Every step job's record names the workflow, the step (its number, name and {@link Step#progress()}) in its
 * extended status; the jobs of one workflow form a chain linked by parent job id.
 *
 * <pre>{@code
 * Optional<JobId> first = StepWorkflow.of("nightly-import", new LoadCustomers(), new SendSummary())
 *         .kickoff(millrace, tenant);
 * }</pre>
 *
 * <p>The workflow class is registered on every node automatically; its steps need no registration.
 */
public final class StepWorkflow implements Queueable, Finalizer {
    /** Most retries of a failed step {@link #retryFailedSteps(int)} allows. */
    public static final int MAX_RETRIES = 5;

    private String name;
    /** Steps not begun yet, in order. Stored with their class names: steps are any named class. */
    @JsonTypeInfo(use = JsonTypeInfo.Id.CLASS, property = "@step")
    private List<Step> remaining = new ArrayList<>();
    @JsonTypeInfo(use = JsonTypeInfo.Id.CLASS, property = "@step")
    private Step current;
    private int stepNumber;
    private int stepCount;
    private int retries;
    private int retried;

    private StepWorkflow() {
        // for the job codec
    }

    /**
     * A workflow of these steps, in order.
     *
     * @param name the workflow's name in logs and job records, 1 to 100 characters
     */
    public static StepWorkflow of(String name, List<? extends Step> steps) {
        if (name == null || name.isBlank() || name.length() > 100) {
            throw new IllegalArgumentException("workflow name '" + name + "' is invalid: expected 1 to 100 characters");
        }
        Objects.requireNonNull(steps, "steps");
        StepWorkflow w = new StepWorkflow();
        w.name = name;
        for (int i = 0; i < steps.size(); i++) {
            if (steps.get(i) == null) {
                throw new IllegalArgumentException("step " + (i + 1) + " of workflow '" + name + "' is null: expected a Step");
            }
            w.remaining.add(steps.get(i));
        }
        w.stepCount = steps.size();
        return w;
    }

    /** A workflow of these steps, in order. */
    public static StepWorkflow of(String name, Step... steps) {
        return of(name, List.of(steps));
    }

    /**
     * Re-runs a failed execution of a step up to {@code times} times in a row before the workflow stops (0, the
     * default, stops at the first failure). The tenant's {@link TenantPolicy#finalizerMaxConsecutiveRetries()} caps
     * it as well.
     */
    public StepWorkflow retryFailedSteps(int times) {
        if (times < 0 || times > MAX_RETRIES) {
            throw new IllegalArgumentException("retryFailedSteps " + times + " is out of range: expected 0 to " + MAX_RETRIES);
        }
        this.retries = times;
        return this;
    }

    /**
     * Enqueues the workflow's first execution for the tenant (chained as the child of the running job when called
     * inside an execution).
     *
     * @return the first step job's id, or empty when the workflow has no steps (nothing is enqueued)
     */
    public Optional<JobId> kickoff(Millrace millrace, TenantId tenant) {
        Objects.requireNonNull(millrace, "millrace");
        if (current == null && remaining.isEmpty()) return Optional.empty();
        return Optional.of(millrace.enqueue(tenant, this));
    }

    /** The workflow's name. */
    public String name() {
        return name;
    }

    /** How many steps the workflow has. */
    public int stepCount() {
        return stepCount;
    }

    /** The step running or about to run, if one has begun. */
    public Optional<Step> currentStep() {
        return Optional.ofNullable(current);
    }

    /** The 1-based number of the current step, 0 before the first begins. */
    public int stepNumber() {
        return stepNumber;
    }

    /** Runs one execution of the current step (taking the next step first when none is current). */
    @Override
    public void execute(QueueableContext context) throws Exception {
        if (current == null) {
            if (remaining.isEmpty()) return; // an empty workflow enqueued by hand: nothing to do
            current = remaining.remove(0);
            stepNumber++;
        }
        context.attachFinalizer(this);
        Executions.status(status());
        context.log().info("workflow \"{0}\": executing step {1} of {2} \"{3}\"", name, stepNumber, stepCount,
                current.name());
        try {
            current.execute(context);
        } catch (Exception | Error e) {
            context.log().error("workflow \"" + name + "\": step \"" + current.name() + "\" failed", e);
            throw e;
        } finally {
            Executions.status(status());
        }
    }

    /** The finalizer of a step execution: finalize the step, then restart it, begin the next, or stop. */
    @Override
    public void execute(FinalizerContext context) throws Exception {
        if (current == null) return;
        if (context.result() == ParentJobResult.UNHANDLED_EXCEPTION) {
            String why = context.error().map(JobError::summary).orElse("unknown error");
            if (retried < retries) {
                retried++;
                context.log().warn("workflow \"{0}\": step \"{1}\" failed ({2}); retry {3} of {4}", name, current.name(),
                        why, retried, retries);
                context.enqueue(this);
                return;
            }
            context.log().error("workflow \"{0}\" stopped at step {1} of {2} \"{3}\": {4}", name, stepNumber, stepCount,
                    current.name(), why);
            return;
        }
        retried = 0;
        current.finalize(context);
        if (current.shouldRestart()) {
            context.enqueue(this);
        } else if (!remaining.isEmpty()) {
            context.log().info("workflow \"{0}\": step \"{1}\" done", name, current.name());
            current = null;
            context.enqueue(this);
        } else {
            context.log().info("workflow \"{0}\" complete: step \"{1}\" was the last of {2}", name, current.name(),
                    stepCount);
        }
    }

    private String status() {
        String progress = current.progress();
        return "workflow '" + name + "' step " + stepNumber + " of " + stepCount + " '" + current.name() + "'"
                + (progress == null ? "" : ", " + progress);
    }

    @Override
    public String toString() {
        return "StepWorkflow[" + name + ", step " + stepNumber + " of " + stepCount + "]";
    }
}
