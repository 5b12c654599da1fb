package dev.millrace;

import java.util.List;
import java.util.Optional;

/**
 * One page of a {@link JobQuery}'s result.
 *
 * @param jobs the jobs, newest first
 * @param nextCursor the cursor of the next page, empty on the last page
 */
public record JobPage(List<JobRecord> jobs, Optional<JobId> nextCursor) {
}
