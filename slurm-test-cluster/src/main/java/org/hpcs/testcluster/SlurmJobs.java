package org.hpcs.testcluster;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.FileSystems;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.nio.file.attribute.UserPrincipal;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Comparator;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;

/** Submits batch jobs as cluster users and waits for them to finish. */
public final class SlurmJobs {

  private static final Duration COMMAND_TIMEOUT = Duration.ofSeconds(30);
  private static final Pattern JOB_STATE = Pattern.compile("\\bJobState=(\\S+)");
  private static final Pattern EXIT_CODE = Pattern.compile("\\bExitCode=(\\S+)");

  private final TestCluster cluster;

  SlurmJobs(TestCluster cluster) {
    this.cluster = cluster;
  }

  /**
   * Runs {@code sbatch --wrap} as a cluster user, waits until the job has left the queue and
   * returns its final state and output. The job runs in a fresh directory owned by the user, which
   * is deleted afterwards.
   *
   * @param user the Unix user that submits the job
   * @param timeout how long the job may take from submission to leaving the queue
   * @param wrap the shell command of the batch script
   * @param sbatchOptions further sbatch options, for example {@code -N3}
   * @throws TestClusterException if sbatch fails or the job does not finish in time
   */
  public BatchJob run(String user, Duration timeout, String wrap, String... sbatchOptions) {
    Path dir = jobDirectory(user);
    try {
      long id = submit(user, dir, wrap, sbatchOptions);
      awaitGone(id, timeout);
      String record = scontrol(id);
      return new BatchJob(
          id, field(JOB_STATE, record, id), field(EXIT_CODE, record, id), output(dir, id));
    } finally {
      deleteTree(dir);
    }
  }

  private long submit(String user, Path dir, String wrap, String... sbatchOptions) {
    List<String> command = new ArrayList<>(List.of("sbatch", "--parsable", "-D", dir.toString()));
    command.add("--output=" + dir.resolve("slurm-%j.out"));
    command.addAll(Arrays.asList(sbatchOptions));
    command.add("--wrap=" + wrap);
    CommandResult result = cluster.runAs(user, COMMAND_TIMEOUT, command.toArray(String[]::new));
    if (!result.succeeded()) {
      throw new TestClusterException("sbatch as " + user + " failed: " + result.describe());
    }
    String id = result.stdout().strip().split(";", -1)[0];
    try {
      return Long.parseLong(id);
    } catch (NumberFormatException e) {
      throw new TestClusterException("sbatch printed no job id: " + result.describe(), e);
    }
  }

  private static void awaitGone(long id, Duration timeout) {
    long deadline = System.nanoTime() + timeout.toNanos();
    while (true) {
      CommandResult queue =
          Commands.run(
              COMMAND_TIMEOUT, List.of("squeue", "-h", "-j", Long.toString(id), "-o", "%T"));
      if (queue.succeeded() && queue.stdout().isBlank()) {
        return;
      }
      if (System.nanoTime() > deadline) {
        throw new TestClusterException(
            "Job "
                + id
                + " is still queued after "
                + timeout.toSeconds()
                + " s: "
                + queue.stdout());
      }
      sleep(Duration.ofMillis(200));
    }
  }

  private static String scontrol(long id) {
    CommandResult result =
        Commands.run(COMMAND_TIMEOUT, List.of("scontrol", "-o", "show", "job", Long.toString(id)));
    if (!result.succeeded()) {
      throw new TestClusterException(
          "Cannot read the record of job " + id + ": " + result.describe());
    }
    return result.stdout();
  }

  private static String field(Pattern pattern, String record, long id) {
    Matcher matcher = pattern.matcher(record);
    if (!matcher.find()) {
      throw new TestClusterException(
          "scontrol show job " + id + " has no " + pattern.pattern() + ": " + record);
    }
    return matcher.group(1);
  }

  private static String output(Path dir, long id) {
    Path file = dir.resolve("slurm-" + id + ".out");
    try {
      return Files.exists(file) ? Files.readString(file, StandardCharsets.UTF_8) : "";
    } catch (IOException e) {
      throw new TestClusterException("Cannot read the output " + file + " of job " + id, e);
    }
  }

  private static Path jobDirectory(String user) {
    try {
      Path dir =
          Files.createTempDirectory(
              "hpcs-job-",
              PosixFilePermissions.asFileAttribute(PosixFilePermissions.fromString("rwx------")));
      UserPrincipal owner =
          FileSystems.getDefault().getUserPrincipalLookupService().lookupPrincipalByName(user);
      Files.setOwner(dir, owner);
      return dir;
    } catch (IOException e) {
      throw new TestClusterException(
          "Cannot create a job directory owned by " + user + " (is it a Unix user of the stack?)",
          e);
    }
  }

  private static void deleteTree(Path dir) {
    try (Stream<Path> paths = Files.walk(dir)) {
      for (Path path : paths.sorted(Comparator.reverseOrder()).toList()) {
        Files.deleteIfExists(path);
      }
    } catch (IOException e) {
      // A job directory left in /tmp does no harm; the job's result matters more.
    }
  }

  private static void sleep(Duration duration) {
    try {
      Thread.sleep(duration);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new TestClusterException("Interrupted while waiting for a Slurm job", e);
    }
  }
}
