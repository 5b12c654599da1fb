package dev.millrace.internal.engine;

import java.nio.file.Path;
import java.time.Duration;
import java.time.InstantSource;
import java.util.List;
import javax.sql.DataSource;

/**
 * A node's configuration, validated by {@code Millrace.Builder}.
 *
 * @param dataSource the caller's data source, or null
 * @param jdbcUrl a URL to open a pool on, or null
 * @param user the pool's user, or null
 * @param password the pool's password, or null
 * @param dataDir the embedded H2 store's folder
 * @param schema the schema of the tables, or null
 * @param workers worker threads
 * @param claimBatchSize most jobs per claim
 * @param lease how long a claim holds without renewal
 * @param pollInterval the safety-net poll
 * @param maxAttempts starts before an expired lease fails a job
 * @param shutdownTimeout how long close waits for running jobs
 * @param pruneInterval how often terminal jobs are pruned
 * @param clock the time source
 * @param nodeId the node's id, or null for a generated one
 * @param migrate whether to apply migrations
 * @param jobClasses registered queueable and finalizer classes
 * @param futureClasses classes whose future methods are registered
 * @param applicationDataSources the application's data sources cursors may query, by name
 * @param handlerClasses event handler classes this node delivers
 * @param flagCacheTime how long a flag value read from the store is reused
 * @param flagBindings job class name to the feature flag it is bound to
 * @param sampler what the resource governor reads heap and CPU from
 * @param governor the resource governor's thresholds
 */
public record EngineConfig(DataSource dataSource, String jdbcUrl, String user, String password, Path dataDir,
                           String schema, int workers, int claimBatchSize, Duration lease, Duration pollInterval,
                           int maxAttempts, Duration shutdownTimeout, Duration pruneInterval, InstantSource clock,
                           String nodeId, boolean migrate, List<Class<?>> jobClasses, List<Class<?>> futureClasses,
                           java.util.Map<String, DataSource> applicationDataSources,
                           List<Class<? extends dev.millrace.event.EventHandler>> handlerClasses,
                           Duration flagCacheTime, java.util.Map<String, String> flagBindings,
                           dev.millrace.fair.ResourceSampler sampler, dev.millrace.fair.GovernorSettings governor) {
}
