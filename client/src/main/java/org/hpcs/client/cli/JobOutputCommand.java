package org.hpcs.client.cli;

import java.io.IOException;
import java.io.InputStream;
import java.io.PrintWriter;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.util.Comparator;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.Callable;
import java.util.stream.Stream;
import org.hpcs.client.HpcsException;
import org.hpcs.client.config.ClientConfig;
import org.hpcs.client.job.OutputArchive;
import org.hpcs.client.job.Scontrol;
import org.hpcs.client.keys.OwnerKeys;
import org.hpcs.client.ssh.ClusterConnection;
import org.hpcs.common.crypto.AgeIdentities;
import org.hpcs.common.crypto.AgeIdentity;
import org.hpcs.common.tar.TarExtractor;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;

/** {@code hpcs job output}: fetches, decrypts and extracts a job's encrypted output. */
@Command(
    name = "output",
    mixinStandardHelpOptions = true,
    description = {
      "Fetch every hpcs-output-<JOB_ID>.<node>.tar.age from the job's working directory over"
          + " SFTP (progress bar on a terminal), decrypt each with the owner's output identity and"
          + " extract it into DIR: one directory per node of the job. Each node agent writes its"
          + " part when the job ends there, encrypted to the container bundle's output recipient.",
      "The working directory comes from slurmctld while it knows the job, else ssh.remote-dir."
          + " Entries that would escape DIR are rejected; on any failure DIR is left as it was."
    })
final class JobOutputCommand implements Callable<Integer> {
  @Mixin CommonOptions common;

  @Spec CommandSpec spec;

  @Parameters(index = "0", paramLabel = "JOB_ID", description = "The Slurm job id.")
  String jobId;

  @Option(
      names = {"-o", "--output-dir"},
      paramLabel = "DIR",
      description =
          "Directory to extract into; it must be missing or empty. Default:"
              + " ./hpcs-output-<JOB_ID>.")
  Path outputDir;

  @Option(
      names = "--identity",
      paramLabel = "FILE",
      description =
          "age identity file that decrypts the output. Default: output-identity.txt in"
              + " keys.dir, as hpcs keygen wrote it.")
  Path identity;

  @Override
  public Integer call() throws Exception {
    try {
      JobIds.check(jobId);
    } catch (IllegalArgumentException e) {
      throw new CommandLine.ParameterException(spec.commandLine(), e.getMessage());
    }
    ClientConfig config = common.loadConfig();
    List<AgeIdentity> identities = identities(config);
    Path target = outputDir != null ? outputDir : Path.of("hpcs-output-" + jobId);
    requireEmpty(target);

    long bytes = 0;
    try (ClusterConnection cluster = ClusterConnection.open(config, "hpcs job output")) {
      String workDir = workDir(cluster, config);
      List<String> parts = outputParts(cluster, workDir);
      boolean created = !Files.exists(target);
      Files.createDirectories(target);
      try {
        for (String part : parts) {
          bytes += fetchPart(cluster, workDir + "/" + part, identities, target);
        }
      } catch (Exception e) {
        removeContents(target);
        if (created) {
          Files.deleteIfExists(target);
        }
        throw e;
      }
    }
    report(target, bytes);
    return 0;
  }

  private List<AgeIdentity> identities(ClientConfig config) throws Exception {
    Path file = identity != null ? identity : new OwnerKeys(config.keysDir()).outputIdentity();
    if (!Files.exists(file)) {
      throw new HpcsException(
          "output identity %s not found".formatted(file),
          "pass --identity FILE, the identity whose recipient the bundle was created with");
    }
    return AgeIdentities.read(file);
  }

  private static void requireEmpty(Path target) throws IOException, HpcsException {
    if (!Files.exists(target)) {
      return;
    }
    boolean empty;
    try (Stream<Path> entries = Files.list(target)) {
      empty = entries.findAny().isEmpty();
    }
    if (!empty) {
      throw new HpcsException(
          "output directory %s is not empty".formatted(target),
          "pass -o with a new directory; hpcs never extracts over existing files");
    }
  }

  private String workDir(ClusterConnection cluster, ClientConfig config) throws Exception {
    Optional<String> fromSlurm =
        Scontrol.showJob(cluster, jobId).flatMap(job -> job.get("WorkDir"));
    return fromSlurm.isPresent() ? fromSlurm.get() : config.sshRemoteDir();
  }

  /**
   * Lists the job's output files in its working directory: one part per node, {@code
   * hpcs-output-<jobid>.<node>.tar.age}, each holding that node's {@code <node>/} tree.
   */
  private List<String> outputParts(ClusterConnection cluster, String workDir) throws Exception {
    List<String> parts =
        cluster.list(workDir).stream()
            .filter(name -> OutputArchive.partNode(jobId, name).isPresent())
            .sorted()
            .toList();
    if (parts.isEmpty()) {
      throw new HpcsException(
          "job %s has no output files hpcs-output-%s.<node>.tar.age in %s on %s"
              .formatted(jobId, jobId, workDir, cluster.target()),
          "each node agent writes its part when the job ends there; check 'hpcs job status "
              + jobId
              + "'");
    }
    return parts;
  }

  /**
   * Decrypts one part into a fresh directory beside the others, then moves its node directory into
   * the target, because the extractor only writes into an empty directory.
   */
  private long fetchPart(
      ClusterConnection cluster, String remote, List<AgeIdentity> identities, Path target)
      throws Exception {
    long size = cluster.size(remote).orElse(-1L);
    Path staging = Files.createTempDirectory(target, ".part-");
    try (InputStream in = cluster.read(remote);
        Progress progress = Progress.start("download", size)) {
      TarExtractor.Result result =
          OutputArchive.extract(
              in, cluster.target() + ":" + remote, identities, staging, progress::stepTo);
      try (Stream<Path> children = Files.list(staging)) {
        for (Path child : children.toList()) {
          Files.move(child, target.resolve(child.getFileName()));
        }
      }
      return result.bytes();
    } finally {
      removeContents(staging);
      Files.deleteIfExists(staging);
    }
  }

  private static void removeContents(Path directory) throws IOException {
    if (!Files.exists(directory, LinkOption.NOFOLLOW_LINKS)) {
      return;
    }
    try (Stream<Path> walk = Files.walk(directory)) {
      for (Path path : walk.sorted(Comparator.reverseOrder()).toList()) {
        if (!path.equals(directory)) {
          Files.deleteIfExists(path);
        }
      }
    }
  }

  private void report(Path target, long bytes) throws IOException {
    List<Path> files;
    try (Stream<Path> walk = Files.walk(target)) {
      files =
          walk.filter(file -> Files.isRegularFile(file, LinkOption.NOFOLLOW_LINKS))
              .sorted()
              .toList();
    }
    PrintWriter out = spec.commandLine().getOut();
    out.printf(
        "extracted the output of job %s into %s: %d files, %d bytes%n",
        jobId, target, files.size(), bytes);
    for (Path file : files) {
      out.printf("  %s (%d bytes)%n", target.relativize(file), Files.size(file));
    }
    out.flush();
  }
}
