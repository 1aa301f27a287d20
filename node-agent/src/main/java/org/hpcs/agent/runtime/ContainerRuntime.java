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

  /**
   * Takes over a container that an earlier agent process prepared with {@link #prepare} in a
   * workspace adopted with {@link JobWorkspace#adopt}. Checks that the runtime's mounts are still
   * in place and sets up nothing new. The image is not read again: after the hand-over the job user
   * controls the paths below the workspace, and the agent reads nothing there as root.
   *
   * @throws ContainerException if a mount of the runtime is missing
   */
  PreparedContainer adopt(ContainerSpec spec, JobWorkspace workspace) throws ContainerException;
}
