package org.hpcs.agent.job;

import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;

/** Runs short external commands (squeue, scontrol, getent) with a hard time limit. */
final class Commands {
  private Commands() {}

  /**
   * The outcome of a command.
   *
   * @param exitCode the exit code
   * @param stdout what it printed on standard output
   */
  record Result(int exitCode, String stdout) {}

  /**
   * Runs the command with SLURM_CONF set when given; stderr is discarded.
   *
   * @throws IOException when it cannot start, or does not finish within the timeout (it is then
   *     killed)
   */
  static Result run(List<String> command, Optional<Path> slurmConf, Duration timeout)
      throws IOException, InterruptedException {
    ProcessBuilder builder =
        new ProcessBuilder(command).redirectError(ProcessBuilder.Redirect.DISCARD);
    slurmConf.ifPresent(conf -> builder.environment().put("SLURM_CONF", conf.toString()));
    Process process = builder.start();
    process.getOutputStream().close();
    CompletableFuture<byte[]> output =
        CompletableFuture.supplyAsync(() -> readAll(process.getInputStream()));
    try {
      if (!process.waitFor(timeout.toMillis(), TimeUnit.MILLISECONDS)) {
        throw new IOException(
            command.get(0) + " did not finish within " + timeout.toSeconds() + " s");
      }
      byte[] stdout = output.get(timeout.toMillis(), TimeUnit.MILLISECONDS);
      return new Result(process.exitValue(), new String(stdout, StandardCharsets.UTF_8));
    } catch (ExecutionException | TimeoutException e) {
      throw new IOException("reading the output of " + command.get(0) + " failed", e);
    } finally {
      process.destroyForcibly();
    }
  }

  private static byte[] readAll(InputStream stream) {
    try (stream) {
      return stream.readAllBytes();
    } catch (IOException e) {
      return new byte[0];
    }
  }
}
