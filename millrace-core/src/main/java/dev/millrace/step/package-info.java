/**
 * The step framework (SPEC.md STEP): a {@link dev.millrace.step.StepWorkflow} runs its
 * {@link dev.millrace.step.Step}s in order, each execution one queueable job with fresh limits, the workflow its own
 * finalizer; a step restarts while it has work left. {@link dev.millrace.step.CursorStep} walks a cursor a chunk per
 * execution. Start a workflow with {@code StepWorkflow.of(name, steps).kickoff(millrace, tenant)}.
 */
package dev.millrace.step;
