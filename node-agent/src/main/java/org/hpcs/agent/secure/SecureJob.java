package org.hpcs.agent.secure;

import java.nio.file.Path;
import org.hpcs.agent.mount.JobWorkspace;
import org.hpcs.agent.runtime.PreparedContainer;
import org.hpcs.agent.userio.UserIdentity;
import org.hpcs.common.crypto.AgeRecipient;

/**
 * A job prepared on this node: its mounts hold the decrypted image and input, and its container is
 * ready for the steps. The keys are gone by then; only the owner's public recipient remains, for
 * the output.
 */
final class SecureJob {
  private final long jobId;
  private final UserIdentity user;
  private final Path workDir;
  private final AgeRecipient outputRecipient;
  private final JobWorkspace workspace;
  private final PreparedContainer container;
  private boolean outputShipped;

  SecureJob(
      long jobId,
      UserIdentity user,
      Path workDir,
      AgeRecipient outputRecipient,
      JobWorkspace workspace,
      PreparedContainer container) {
    this.jobId = jobId;
    this.user = user;
    this.workDir = workDir;
    this.outputRecipient = outputRecipient;
    this.workspace = workspace;
    this.container = container;
  }

  long jobId() {
    return jobId;
  }

  UserIdentity user() {
    return user;
  }

  Path workDir() {
    return workDir;
  }

  AgeRecipient outputRecipient() {
    return outputRecipient;
  }

  JobWorkspace workspace() {
    return workspace;
  }

  PreparedContainer container() {
    return container;
  }

  boolean outputShipped() {
    return outputShipped;
  }

  void markOutputShipped() {
    outputShipped = true;
  }
}
