package org.hpcs.agent.secure;

import java.io.IOException;
import java.nio.file.Path;
import java.util.IdentityHashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.function.LongConsumer;
import org.hpcs.agent.job.JobContext;
import org.hpcs.agent.job.JobFacts;
import org.hpcs.agent.job.JobWorkDir;
import org.hpcs.agent.job.PipelineException;
import org.hpcs.agent.mount.FuseTools;
import org.hpcs.agent.mount.GocryptfsMount;
import org.hpcs.agent.mount.JobWorkspace;
import org.hpcs.agent.mount.MountException;
import org.hpcs.agent.runtime.ContainerException;
import org.hpcs.agent.runtime.ContainerSpec;
import org.hpcs.agent.runtime.EnvironmentAllowList;
import org.hpcs.agent.runtime.JobUser;
import org.hpcs.agent.runtime.PreparedContainer;
import org.hpcs.agent.server.ServerApi;
import org.hpcs.agent.server.ServerException;
import org.hpcs.agent.userio.UserIdentity;
import org.hpcs.agent.vault.JobKeys;
import org.hpcs.agent.vault.KeyReleaseException;
import org.hpcs.agent.vault.VaultKeyReader;
import org.hpcs.common.api.JobStartRequest;
import org.hpcs.common.api.JobStartResponse;
import org.hpcs.common.api.KeyLocation;
import org.hpcs.common.crypto.AgeRecipient;
import org.hpcs.common.crypto.InvalidAgeKeyException;

/**
 * Prepares a secured job on this node. The steps, in order: open the bundles with the job user's
 * rights, check every manifest signature and ciphertext digest, check FUSE, ask the server to start
 * the job, and read the keys from Vault. Then mount the encrypted file systems, decrypt into them,
 * check the image and prepare the container. Nothing is decrypted before every check passed, and a
 * failure at any point removes what was mounted or decrypted.
 */
final class JobPreparation {
  /** Looks up user name, nodes, partition and time limit of a job, as {@link JobFacts} does. */
  @FunctionalInterface
  interface FactsSource {
    /** Returns the job's facts; the bundles of the result are ignored. */
    JobStartRequest lookup(JobContext job) throws PipelineException;
  }

  /** Looks up a job's working directory, as {@link JobWorkDir} does. */
  @FunctionalInterface
  interface WorkDirSource {
    /** Returns the job's working directory. */
    Path lookup(long jobId, String node) throws PipelineException;
  }

  private final SecureJobSettings settings;
  private final ServerApi server;
  private final FactsSource facts;
  private final WorkDirSource workDirs;
  private final VaultKeyReader keyReader;
  private final StageEvents events;

  JobPreparation(
      SecureJobSettings settings,
      ServerApi server,
      FactsSource facts,
      WorkDirSource workDirs,
      VaultKeyReader keyReader,
      StageEvents events) {
    this.settings = settings;
    this.server = server;
    this.facts = facts;
    this.workDirs = workDirs;
    this.keyReader = keyReader;
    this.events = events;
  }

  /**
   * Prepares the job.
   *
   * @param startedAtServer receives the job id once the server started the job, so that a later
   *     failure still ends it there
   * @throws PipelineException naming what failed, the job and the node, and what to do
   */
  SecureJob prepare(JobContext job, LongConsumer startedAtServer) throws PipelineException {
    String where = "job " + job.jobId() + " on " + settings.node();
    Path jobManifest = requireManifest(job, where);
    JobStartRequest jobFacts = facts.lookup(job);
    UserIdentity user = identity(jobFacts.user(), job, where);
    Path workDir = workDirs.lookup(job.jobId(), settings.node());
    try (OpenedBundles bundles =
        OpenedBundles.open(user, jobManifest, job.details().manifest().bytes(), where)) {
      // Integrity first: nothing of a bundle is decrypted before its manifest and file check out.
      IdentityHashMap<OpenedBundle, CheckedHead> heads = new IdentityHashMap<>();
      for (OpenedBundle bundle : bundles.all()) {
        BundleChecks.verifySignature(bundle, where);
        heads.put(bundle, BundleChecks.verifyCiphertext(bundle, where));
      }
      events.report(job.jobId(), "bundles-verified", bundles.all().size() + " bundles");
      AgeRecipient recipient = outputRecipient(bundles.image(), where);
      FuseTools tools = preflight(where);

      // Key release: the server checks grant, user and nodes, then Vault gives the keys.
      JobStartResponse release = startAtServer(job, jobFacts, bundles, where);
      startedAtServer.accept(job.jobId());
      events.report(job.jobId(), "key-release", "role " + release.vaultRole());
      try (JobKeys keys = readKeys(release, bundles, where)) {
        events.report(job.jobId(), "keys-read", release.keys().size() + " keys");
        return decryptAndPrepare(
            job, user, workDir, recipient, tools, new Checked(bundles, heads), keys, where);
      }
    }
  }

  private SecureJob decryptAndPrepare(
      JobContext job,
      UserIdentity user,
      Path workDir,
      AgeRecipient recipient,
      FuseTools tools,
      Checked checked,
      JobKeys keys,
      String where)
      throws PipelineException {
    OpenedBundles bundles = checked.bundles();
    JobWorkspace workspace = createWorkspace(job, user, tools, where);
    PreparedContainer container = null;
    try {
      GocryptfsMount image = workspace.mountEncrypted("image");
      GocryptfsMount input = workspace.mountEncrypted("input");
      GocryptfsMount output = workspace.mountEncrypted("output");
      events.report(job.jobId(), "mounted", "image, input and output");
      OpenedBundle imageBundle = bundles.image();
      Path sif =
          BundleDecryption.decryptImage(
              imageBundle,
              checked.head(imageBundle),
              keys.of(imageBundle.manifest().bundleId()),
              image::openForWrite,
              where);
      extractData(checked, keys, input.mountPoint(), user, where);
      keys.close();
      events.report(job.jobId(), "decrypted", "image and " + bundles.data().size() + " datasets");
      ContainerSpec spec =
          new ContainerSpec(
              sif,
              imageBundle.manifest().plaintext().sha256(),
              input.mountPoint(),
              output.mountPoint(),
              new JobUser(user.name(), user.uid(), user.gid()),
              List.of(),
              EnvironmentAllowList.empty());
      container = settings.runtime().prepare(spec, workspace);
      workspace.handOver();
      SecureJob prepared =
          new SecureJob(job.jobId(), user, workDir, recipient, workspace, container);
      saveRecord(prepared, where);
      events.report(job.jobId(), "container-ready", "runtime " + container.runtime());
      return prepared;
    } catch (MountException | ContainerException | RuntimeException e) {
      PipelineException failure = prepareFailed(e, where);
      undo(workspace, container, failure);
      throw failure;
    } catch (PipelineException e) {
      undo(workspace, container, e);
      throw e;
    }
  }

  /** Saves what a restarted agent needs to take the job over. */
  private static void saveRecord(SecureJob job, String where) throws PipelineException {
    ContainerSpec spec = job.container().spec();
    JobWorkspace workspace = job.workspace();
    PreparedJobRecord record =
        new PreparedJobRecord(
            job.jobId(),
            job.user().name(),
            job.user().uid(),
            job.user().gid(),
            job.workDir().toString(),
            job.outputRecipient().value(),
            job.container().runtime(),
            spec.image().toString(),
            spec.expectedSha256(),
            spec.input().toString(),
            spec.output().toString(),
            workspace.encryptedNames(),
            workspace.otherNames());
    try {
      record.write(workspace.stateDir());
    } catch (IOException e) {
      throw new PipelineException(
          "saving the state of "
              + where
              + " in "
              + workspace.stateDir()
              + " failed: "
              + e.getMessage()
              + "; ask the site admins to check the node agent's state directory",
          e);
    }
  }

  private static void extractData(
      Checked checked, JobKeys keys, Path inputRoot, UserIdentity user, String where)
      throws PipelineException {
    List<OpenedBundle> data = checked.bundles().data();
    for (OpenedBundle bundle : data) {
      // One dataset fills /hpcs/input; several get a directory each, named after the bundle.
      Path target = data.size() == 1 ? inputRoot : inputRoot.resolve(bundle.manifest().name());
      BundleDecryption.extractData(
          bundle, checked.head(bundle), keys.of(bundle.manifest().bundleId()), target, user, where);
    }
  }

  private JobWorkspace createWorkspace(
      JobContext job, UserIdentity user, FuseTools tools, String where) throws PipelineException {
    try {
      return JobWorkspace.create(
          settings.layout(),
          tools,
          Long.toString(job.jobId()),
          new org.hpcs.agent.mount.FileOwner(user.uid(), user.gid()));
    } catch (MountException e) {
      throw new PipelineException(
          "cannot create the encrypted workspace of "
              + where
              + ": "
              + e.getMessage()
              + "; ask the site admins to check the node agent's state and run directories",
          e);
    }
  }

  private JobStartResponse startAtServer(
      JobContext job, JobStartRequest jobFacts, OpenedBundles bundles, String where)
      throws PipelineException {
    JobStartRequest request =
        new JobStartRequest(
            jobFacts.user(),
            jobFacts.nodes(),
            jobFacts.partition(),
            jobFacts.timeLimitSeconds(),
            bundles.all().stream().map(OpenedBundle::ref).toList());
    try {
      return server.startJob(job.jobId(), request);
    } catch (ServerException e) {
      throw new PipelineException(
          "the HPCS server denied the key release of "
              + where
              + ": "
              + e.getMessage()
              + "; ask the data owner to check your grant (hpcs grant list) and the audit log",
          e);
    }
  }

  private JobKeys readKeys(JobStartResponse release, OpenedBundles bundles, String where)
      throws PipelineException {
    Map<String, KeyLocation> byBundle = new LinkedHashMap<>();
    for (KeyLocation key : release.keys() == null ? List.<KeyLocation>of() : release.keys()) {
      byBundle.put(key.bundleId(), key);
    }
    for (OpenedBundle bundle : bundles.all()) {
      if (!byBundle.containsKey(bundle.manifest().bundleId())) {
        throw new PipelineException(
            "the HPCS server released no key location for bundle "
                + bundle.manifest().bundleId()
                + " of "
                + where
                + "; check that server and node agent are the same version");
      }
    }
    try {
      return keyReader.read(release);
    } catch (KeyReleaseException e) {
      throw new PipelineException(
          "reading the bundle keys of " + where + " from Vault failed: " + e.getMessage(), e);
    }
  }

  private FuseTools preflight(String where) throws PipelineException {
    try {
      return settings.preflight().check();
    } catch (MountException e) {
      throw new PipelineException(
          "node "
              + settings.node()
              + " cannot run secured jobs ("
              + where
              + "): "
              + e.getMessage()
              + "; ask the site admins to fix the node",
          e);
    }
  }

  private static AgeRecipient outputRecipient(OpenedBundle image, String where)
      throws PipelineException {
    try {
      return AgeRecipient.parse(image.manifest().outputRecipient());
    } catch (InvalidAgeKeyException e) {
      throw new PipelineException(
          "bundle manifest " + image.manifestPath() + " (" + where + "): " + e.getMessage(), e);
    }
  }

  private static Path requireManifest(JobContext job, String where) throws PipelineException {
    String path = job.details().manifestPath();
    if (path.isEmpty() || job.details().manifest().length() == 0) {
      throw new PipelineException(
          where
              + " names no job manifest; submit it with --hpcs-secure=<job manifest>, which"
              + " hpcs job submit writes");
    }
    return Path.of(path);
  }

  private static UserIdentity identity(String name, JobContext job, String where)
      throws PipelineException {
    try {
      return UserIdentity.lookup(name, Math.toIntExact(job.uid()), Math.toIntExact(job.gid()));
    } catch (IllegalArgumentException | ArithmeticException e) {
      throw new PipelineException(
          where
              + " runs as uid "
              + job.uid()
              + ", which cannot run secured steps: "
              + e.getMessage(),
          e);
    }
  }

  private static PipelineException prepareFailed(Exception e, String where) {
    return new PipelineException(
        "preparing the container of "
            + where
            + " failed: "
            + e.getMessage()
            + "; the decrypted files were removed",
        e);
  }

  private static void undo(
      JobWorkspace workspace, PreparedContainer container, PipelineException failure) {
    if (container != null) {
      try {
        container.close();
      } catch (ContainerException e) {
        failure.addSuppressed(e);
      }
    }
    try {
      workspace.teardown();
    } catch (MountException e) {
      failure.addSuppressed(e);
    }
  }

  /** The job's bundles with the heads their digest checks read. */
  private record Checked(OpenedBundles bundles, IdentityHashMap<OpenedBundle, CheckedHead> heads) {
    CheckedHead head(OpenedBundle bundle) {
      return heads.get(bundle);
    }
  }
}
