package org.hpcs.agent.runtime;

import org.hpcs.agent.mount.JobWorkspace;

/**
 * Runs a job step's command in a container built from the job's decrypted SIF, as the job user,
 * with the input read-only, the output writable, no network and only the allow-listed environment.
 * Implementations: {@link BwrapRuntime} and {@link ApptainerRuntime}.
 */
public interface ContainerRuntime {
  /** Returns the runtime's name as used in the agent's configuration. */
  String name();

  /**
   * Checks the image and does the runtime's per-job setup, then returns the argv that starts the
   * container. Call it after the image, input and output are in place and before {@link
   * JobWorkspace#handOver()}.
   *
   * @param spec what to run
   * @param workspace the job's workspace, for mount points the runtime needs
   * @throws ContainerException if the image is not the submitted one, is not a usable SIF, or the
   *     setup fails; nothing the runtime set up is left behind
   */
  PreparedContainer prepare(ContainerSpec spec, JobWorkspace workspace) throws ContainerException;
}
