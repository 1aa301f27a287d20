package org.hpcs.server.slurm;

import java.util.Optional;

/** Looks up jobs in Slurm, so that the server checks a node agent's claims about a job. */
public interface JobDirectory {
  /**
   * Returns the job, or empty when Slurm does not know it.
   *
   * @throws SlurmException when Slurm cannot be asked
   */
  Optional<SlurmJob> find(String jobId) throws SlurmException;
}
