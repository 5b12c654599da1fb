package dev.millrace.internal.engine;

import dev.millrace.internal.cursor.CursorService;
import dev.millrace.internal.event.EventBus;
import dev.millrace.internal.store.JobStore;

import java.time.InstantSource;
import javax.sql.DataSource;

/**
 * The parts every execution needs, shared by the runner and the contexts.
 *
 * @param store the job store
 * @param dataSource where executions open their transactions
 * @param enqueuer builds and checks new jobs
 * @param codec job state as JSON
 * @param registry known job classes and futures
 * @param clock the time source
 * @param nodeId this node's id
 * @param wake called after new jobs became visible, so a dispatcher looks at once
 * @param cursors the node's cursors
 * @param events the event bus: after-commit events of executions, job status events
 * @param governance governor limits and feature flags
 * @param batches submits a batch from an execution
 * @param ended the jobs this node ended, for metrics: each end is added after its commit
 */
record Core(JobStore store, DataSource dataSource, Enqueuer enqueuer, JobCodec codec, Registry registry,
            InstantSource clock, String nodeId, Runnable wake, CursorService cursors, EventBus events,
            Governance governance, BatchLauncher.Submit batches, EndedJobs ended) {
}
