package dev.millrace.schedule;

import dev.millrace.JobStatus;
import dev.millrace.JobType;
import dev.millrace.Millrace;
import dev.millrace.Queueable;

/**
 * The work a schedule does at each fire time (Salesforce's {@code Schedulable}). Like a {@link Queueable}, its
 * fields are its state: the object is serialised to JSON when it is scheduled, and every fire time runs a
 * fresh copy in a job of type {@link JobType#SCHEDULED}. It needs a no-argument constructor (of any
 * visibility) or must be a record, and is registered with {@link Millrace.Builder#register(Class)} on every
 * node that runs it.
 *
 * <p>Keep {@code execute} short: the common pattern enqueues a queueable (or starts a batch) that does the
 * heavy work.
 */
@FunctionalInterface
public interface Schedulable {

    /**
     * Runs one occurrence. An exception rolls back what the execution did through its context and marks the
     * job {@link JobStatus#FAILED}; the schedule itself goes on firing.
     *
     * @param context the schedule's id, the fire time, the job's transaction and its log
     * @throws Exception any failure; it fails this occurrence's job
     */
    void execute(ScheduleContext context) throws Exception;
}
