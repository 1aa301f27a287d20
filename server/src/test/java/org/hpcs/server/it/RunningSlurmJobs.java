package org.hpcs.server.it;

import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;

/** Real Slurm jobs on the test stack, submitted as a cluster user and cancelled afterwards. */
final class RunningSlurmJobs implements AutoCloseable {
  private final String slurmConf;
  private final List<String> submitted = new ArrayList<>();

  RunningSlurmJobs(String slurmConf) {
    this.slurmConf = slurmConf;
  }

  /** Submits a sleeping job on n1 as the user and returns its id once it runs. */
  String submitRunning(String user) throws IOException, InterruptedException {
    String id =
        run(
                "runuser",
                "-u",
                user,
                "--",
                "sbatch",
                "--parsable",
                "-p",
                "debug",
                "-w",
                "n1",
                "-t",
                "10",
                "--chdir=/tmp",
                "-o",
                "/dev/null",
                "--wrap",
                "sleep 600")
            .strip();
    submitted.add(id);
    long deadline = System.nanoTime() + Duration.ofSeconds(60).toNanos();
    while (!run("scontrol", "show", "job", "-o", id).contains("JobState=RUNNING")) {
      if (System.nanoTime() > deadline) {
        throw new IOException("Slurm job " + id + " of " + user + " did not start within 60 s");
      }
      Thread.sleep(200);
    }
    return id;
  }

  private String run(String... command) throws IOException, InterruptedException {
    ProcessBuilder builder = new ProcessBuilder(command).redirectErrorStream(true);
    builder.environment().put("SLURM_CONF", slurmConf);
    Process process = builder.start();
    String output;
    try (InputStream in = process.getInputStream()) {
      output = new String(in.readAllBytes(), StandardCharsets.UTF_8);
    }
    if (process.waitFor() != 0) {
      throw new IOException(String.join(" ", command) + " failed: " + output);
    }
    return output;
  }

  @Override
  public void close() throws IOException {
    if (submitted.isEmpty()) {
      return;
    }
    List<String> command = new ArrayList<>(List.of("scancel"));
    command.addAll(submitted);
    try {
      run(command.toArray(new String[0]));
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IOException("interrupted while cancelling Slurm jobs " + submitted, e);
    }
  }
}
