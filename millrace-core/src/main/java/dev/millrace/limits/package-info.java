/**
 * Governor limits (SPEC.md LIM): what one execution may use of each {@link dev.millrace.limits.Limit} (queries,
 * rows, DML, CPU, heap, callouts and more), with budgets from the {@link dev.millrace.limits.LimitProfile}s of the
 * tenant's policy. An execution reads its usage with {@code Execution.limits()}, a
 * {@link dev.millrace.limits.Limits}; going over a budget raises {@link dev.millrace.limits.LimitException} and fails
 * the execution.
 */
package dev.millrace.limits;
