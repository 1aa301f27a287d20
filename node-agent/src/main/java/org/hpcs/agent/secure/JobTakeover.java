package org.hpcs.agent.secure;

import java.io.IOException;
import java.nio.file.Path;
import java.util.List;
import java.util.Optional;
import org.hpcs.agent.job.PipelineException;
import org.hpcs.agent.mount.FileOwner;
import org.hpcs.agent.mount.FuseTools;
import org.hpcs.agent.mount.JobWorkspace;
import org.hpcs.agent.mount.MountException;
import org.hpcs.agent.runtime.ContainerException;
import org.hpcs.agent.runtime.ContainerSpec;
import org.hpcs.agent.runtime.EnvironmentAllowList;
import org.hpcs.agent.runtime.JobUser;
import org.hpcs.agent.runtime.PreparedContainer;
import org.hpcs.agent.userio.UserIdentity;
import org.hpcs.common.crypto.AgeRecipient;
import org.hpcs.common.crypto.InvalidAgeKeyException;

/**
 * Takes over a job that an earlier agent process prepared on this node, from the record that the
 * preparation left in the job's state directory and the mounts that outlived that process. Nothing
 * is decrypted or mounted again: a job whose mounts are gone cannot be taken over.
 */
final class JobTakeover {
  private final SecureJobSettings settings;

  JobTakeover(SecureJobSettings settings) {
    this.settings = settings;
  }

  /**
   * Takes the job over.
   *
   * @param uid the job user's uid as the job's state recorded it, if known
   * @throws PipelineException naming why the job cannot be taken over
   */
  SecureJob adopt(long jobId, Optional<Long> uid) throws PipelineException {
    String where = "job " + jobId + " on " + settings.node();
    PreparedJobRecord record = readRecord(jobId, where);
    if (record.jobId() != jobId || (uid.isPresent() && uid.get() != record.uid())) {
      throw new PipelineException(
          "the preparation record of "
              + where
              + " names job "
              + record.jobId()
              + " and uid "
              + record.uid()
              + ", which do not match the job's state");
    }
    if (!record.runtime().equals(settings.runtime().name())) {
      throw new PipelineException(
          where
              + " was prepared with the container runtime "
              + record.runtime()
              + ", but the node agent now runs "
              + settings.runtime().name());
    }
    try {
      UserIdentity user = UserIdentity.lookup(record.user(), record.uid(), record.gid());
      AgeRecipient recipient = AgeRecipient.parse(record.outputRecipient());
      FuseTools tools = settings.preflight().check();
      JobWorkspace workspace =
          JobWorkspace.adopt(
              settings.layout(),
              tools,
              Long.toString(jobId),
              new FileOwner(user.uid(), user.gid()),
              record.encryptedMounts(),
              record.otherMounts());
      ContainerSpec spec =
          new ContainerSpec(
              Path.of(record.image()),
              record.imageSha256(),
              Path.of(record.input()),
              Path.of(record.output()),
              new JobUser(user.name(), user.uid(), user.gid()),
              List.of(),
              EnvironmentAllowList.empty());
      PreparedContainer container = settings.runtime().adopt(spec, workspace);
      return new SecureJob(jobId, user, Path.of(record.workDir()), recipient, workspace, container);
    } catch (MountException | ContainerException | InvalidAgeKeyException e) {
      throw new PipelineException("taking over " + where + " failed: " + e.getMessage(), e);
    } catch (IllegalArgumentException e) {
      throw new PipelineException(
          "the preparation record of " + where + " is not valid: " + e.getMessage(), e);
    }
  }

  private PreparedJobRecord readRecord(long jobId, String where) throws PipelineException {
    Path stateDir = settings.layout().stateDir().resolve(Long.toString(jobId));
    try {
      return PreparedJobRecord.read(stateDir)
          .orElseThrow(
              () ->
                  new PipelineException(
                      where + " has no preparation record in " + stateDir + " to take over"));
    } catch (IOException e) {
      throw new PipelineException(
          "reading the preparation record of " + where + " failed: " + e.getMessage(), e);
    }
  }
}
