package org.hpcs.agent.mount;

import java.util.List;

/**
 * What a job's teardown did.
 *
 * @param jobId the job
 * @param unmounts one report per mount removed, in the order they were removed
 */
public record TeardownReport(String jobId, List<UnmountReport> unmounts) {
  /** Copies the list. */
  public TeardownReport {
    unmounts = List.copyOf(unmounts);
  }

  /** Returns every process that was ended because it held one of the job's mounts. */
  public List<MountHolder> endedHolders() {
    return unmounts.stream().flatMap(u -> u.endedHolders().stream()).toList();
  }
}
