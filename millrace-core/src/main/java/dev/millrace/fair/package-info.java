/**
 * Flow control, fair usage and resource conservation (SPEC.md FAIR): how a node shares its workers between tenants
 * and job types, and holds back when the JVM runs short. A tenant's weight, tiers, caps and rate limits are its
 * {@link dev.millrace.fair.FairUsage}, part of its {@code TenantPolicy}; a node's resource governor is set with
 * {@link dev.millrace.fair.GovernorSettings} and a {@link dev.millrace.fair.ResourceSampler} on
 * {@code Millrace.Builder}; {@code Millrace.fairShares()} shows each lane's {@link dev.millrace.fair.FairShare}.
 */
package dev.millrace.fair;
