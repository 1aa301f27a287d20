package org.hpcs.client.cli;

import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.security.SecureRandom;
import java.time.LocalDateTime;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import java.util.concurrent.Callable;
import org.hpcs.client.config.ClientConfig;
import org.hpcs.client.job.BatchScript;
import org.hpcs.client.job.JobSubmission;
import org.hpcs.client.job.LocalBundles;
import org.hpcs.client.job.SlurmOptions;
import org.hpcs.client.ssh.ClusterConnection;
import org.hpcs.common.bundle.BundleKind;
import org.hpcs.common.bundle.BundleManifest;
import org.hpcs.common.job.JobManifest;
import org.hpcs.common.job.JobManifestCodec;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;

/** {@code hpcs job submit}: writes a job manifest and batch script and submits them with sbatch. */
@Command(
    name = "submit",
    mixinStandardHelpOptions = true,
    description = {
      "Submit a secured batch job: write the job manifest (naming the container and data"
          + " bundles) and a batch script with the Slurm options. Both are uploaded over SFTP"
          + " into ssh.remote-dir, next to the shipped bundles, and 'sbatch --parsable' runs"
          + " there over SSH. The job's working directory is ssh.remote-dir.",
      "On one node the script carries '#SBATCH --hpcs-secure=<job manifest>', so it runs in"
          + " the decrypted container and runs COMMAND itself. With --nodes 2 or more it runs on"
          + " the host and starts 'srun --hpcs-secure=<job manifest> COMMAND', one secured task"
          + " per node, each in its node's container.",
      "The bundles must be shipped first (hpcs bundle ship): their files on the cluster must"
          + " match the local manifests. Prints the Slurm job id on standard output. Local"
          + " copies of both files stay in --out-dir.",
      "Example: hpcs job submit --image image.manifest.json --data genome.manifest.json"
          + " --nodes 2 --time 30:00 -- python3 /opt/run.py --input /hpcs/data"
    })
final class JobSubmitCommand implements Callable<Integer> {
  private static final java.time.Duration SBATCH_TIMEOUT = java.time.Duration.ofSeconds(60);

  @Mixin CommonOptions common;

  @Spec CommandSpec spec;

  @Option(
      names = "--image",
      paramLabel = "BUNDLE_MANIFEST",
      required = true,
      description = "The container bundle's <name>.manifest.json (from hpcs bundle create).")
  Path image;

  @Option(
      names = "--data",
      paramLabel = "BUNDLE_MANIFEST",
      description = "A data bundle's <name>.manifest.json. Repeatable, mounted in this order.")
  List<Path> data = List.of();

  @Option(
      names = "--nodes",
      paramLabel = "N",
      description = "Number of nodes (sbatch --nodes). Default: Slurm's default, one node.")
  Integer nodes;

  @Option(
      names = "--partition",
      paramLabel = "P",
      description = "Slurm partition (sbatch --partition). Default: the default partition.")
  String partition;

  @Option(
      names = "--time",
      paramLabel = "LIMIT",
      description =
          "Time limit as sbatch takes it: minutes, MM:SS, HH:MM:SS, D-HH, D-HH:MM or D-HH:MM:SS."
              + " Default: the partition's default.")
  String time;

  @Option(
      names = "--name",
      paramLabel = "NAME",
      description = "Slurm job name. Default: the container bundle's name.")
  String name;

  @Option(
      names = "--out-dir",
      paramLabel = "DIR",
      defaultValue = ".",
      description =
          "Local directory for copies of the job manifest and the batch script (default: the"
              + " current directory).")
  Path outDir;

  @Parameters(
      paramLabel = "COMMAND",
      arity = "1..*",
      description =
          "After '--': the program and its arguments, run in the container. Each"
              + " argument is quoted for the shell, so spaces, quotes and '$' arrive unchanged.")
  List<String> command;

  @Override
  public Integer call() throws Exception {
    ClientConfig config = common.loadConfig();
    // Report usage errors before reading any manifest. The default job name is the image bundle's
    // name, which the manifest check limits to a valid job name, so a placeholder is checked here.
    options(name != null ? name : "hpcs");
    BundleManifest imageManifest = LocalBundles.read(image, BundleKind.CONTAINER);
    List<BundleManifest> dataManifests = new ArrayList<>();
    for (Path path : data) {
      dataManifests.add(LocalBundles.read(path, BundleKind.DATA));
    }
    SlurmOptions options = options(name != null ? name : imageManifest.name());
    JobManifest jobManifest = jobManifest(imageManifest, dataManifests);

    String stem = newStem();
    String remoteDir = config.sshRemoteDir();
    try (ClusterConnection cluster = ClusterConnection.open(config, "hpcs job submit")) {
      // The bundles must be on the cluster as they are here, or the job would fail on the node.
      cluster.makeDirectories(remoteDir);
      LocalBundles.checkShipped(cluster, remoteDir, image, imageManifest);
      for (int i = 0; i < data.size(); i++) {
        LocalBundles.checkShipped(cluster, remoteDir, data.get(i), dataManifests.get(i));
      }

      // Write both files here, upload them next to the bundles, then submit.
      String absoluteDir = cluster.absolutePath(remoteDir);
      BatchScript script =
          batchScript(absoluteDir + "/" + stem + ".job.json", absoluteDir, options);
      Path localManifest = outDir.resolve(stem + ".job.json");
      Path localScript = outDir.resolve(stem + ".sbatch");
      JobSubmission submission =
          new JobSubmission(cluster, remoteDir, absoluteDir, localManifest, localScript);
      String jobId =
          submission.submit(
              JobManifestCodec.toJson(jobManifest),
              script.render().getBytes(StandardCharsets.UTF_8),
              SBATCH_TIMEOUT);

      spec.commandLine().getOut().println(jobId);
      spec.commandLine().getOut().flush();
      spec.commandLine()
          .getErr()
          .printf(
              "hpcs: submitted batch job %s on %s: script %s/%s, job manifest %s/%s (copies in"
                  + " %s)%n",
              jobId,
              cluster.target(),
              absoluteDir,
              localScript.getFileName(),
              absoluteDir,
              localManifest.getFileName(),
              outDir);
    }
    return 0;
  }

  private SlurmOptions options(String jobName) {
    try {
      return new SlurmOptions(jobName, nodes, partition, time, command);
    } catch (IllegalArgumentException e) {
      throw new CommandLine.ParameterException(spec.commandLine(), e.getMessage());
    }
  }

  private BatchScript batchScript(String jobManifestPath, String workDir, SlurmOptions options)
      throws org.hpcs.client.HpcsException {
    try {
      return new BatchScript(jobManifestPath, workDir, options);
    } catch (IllegalArgumentException e) {
      throw new org.hpcs.client.HpcsException(e.getMessage());
    }
  }

  /** Returns the job manifest: plain file names, because it sits next to the bundles. */
  static JobManifest jobManifest(BundleManifest image, List<BundleManifest> data) {
    List<String> dataNames = data.stream().map(BundleManifest::manifestFileName).toList();
    return JobManifest.of(image.manifestFileName(), dataNames);
  }

  /** Returns a new file name stem such as {@code job-20250131-120000-3f9a}. */
  static String newStem() {
    byte[] random = new byte[2];
    new SecureRandom().nextBytes(random);
    String time =
        LocalDateTime.now(ZoneOffset.UTC).format(DateTimeFormatter.ofPattern("yyyyMMdd-HHmmss"));
    return "job-" + time + "-" + HexFormat.of().formatHex(random);
  }
}
