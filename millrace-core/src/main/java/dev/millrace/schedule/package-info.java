/**
 * Scheduled jobs (SPEC.md SCH): a {@link dev.millrace.schedule.Schedulable} runs at the fire times of a
 * {@link dev.millrace.schedule.CronExpression} in a time zone, each fire time once across the cluster, with a
 * {@link dev.millrace.schedule.MisfirePolicy} for the fire times a stopped cluster missed. Create a schedule with
 * {@code Millrace.schedule} (or {@code scheduleBatch}); read, pause, resume, change and delete it with
 * {@link dev.millrace.schedule.Schedules}, reached with {@code Millrace.schedules()}.
 */
package dev.millrace.schedule;
