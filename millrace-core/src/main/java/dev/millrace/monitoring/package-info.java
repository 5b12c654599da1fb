/**
 * Monitoring (SPEC.md MON): figures across tenants for dashboards and metrics: jobs by tenant, type and status,
 * ends per minute, ended jobs with their wait and run times, lease rescues and a store check, all through
 * {@link dev.millrace.monitoring.Monitoring}, reached with {@code Millrace.monitoring()}; a node's own state is its
 * {@link dev.millrace.monitoring.NodeStatus}, from {@code Millrace.status()}.
 */
package dev.millrace.monitoring;
