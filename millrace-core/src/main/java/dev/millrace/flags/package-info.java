/**
 * Feature flags (SPEC.md FLAG): named booleans per tenant, switched at runtime and audited as
 * {@link dev.millrace.flags.FlagChange}s; jobs read them with {@code ExecutionContext.flag}, and a job class bound to
 * a flag waits while it is off. Switch and list them with {@link dev.millrace.flags.FeatureFlags}, reached with
 * {@code Millrace.flags()}.
 */
package dev.millrace.flags;
