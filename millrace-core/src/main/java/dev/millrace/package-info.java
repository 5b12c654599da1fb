/**
 * Millrace's core API: the node and client {@link dev.millrace.Millrace} (built with its
 * {@link dev.millrace.Millrace.Builder}), the work it runs ({@link dev.millrace.Queueable},
 * {@link dev.millrace.Finalizer}, {@link dev.millrace.Future} methods and their contexts), the job-record API
 * ({@link dev.millrace.Jobs}), tenants and their {@link dev.millrace.TenantPolicy}, and the exceptions an enqueue
 * raises. Each feature has its own package: {@code batch}, {@code cursor}, {@code step}, {@code schedule},
 * {@code event}, {@code limits}, {@code fair}, {@code monitoring}, {@code flags} and {@code apikey}.
 */
package dev.millrace;
