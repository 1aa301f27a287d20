package org.hpcs.server.slurm;

import java.time.Duration;
import java.util.List;

/**
 * A job as slurmctld reports it.
 *
 * @param id the job identifier
 * @param user the job's user name
 * @param state the job state, for example {@code RUNNING}
 * @param partition the partition
 * @param nodes the allocated nodes, expanded
 * @param timeLimit the time limit, or null when unlimited
 */
public record SlurmJob(
    String id,
    String user,
    String state,
    String partition,
    List<String> nodes,
    Duration timeLimit) {
  /** Copies the node list. */
  public SlurmJob {
    nodes = List.copyOf(nodes);
  }

  /** Returns true while the job's processes may run: RUNNING or CONFIGURING. */
  public boolean running() {
    return state.equals("RUNNING") || state.equals("CONFIGURING");
  }
}
