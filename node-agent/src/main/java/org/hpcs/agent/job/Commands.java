package org.hpcs.agent.job;

import java.io.IOException;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Optional;
import org.hpcs.common.process.CommandException;
import org.hpcs.common.process.CommandOutput;
import org.hpcs.common.process.ExternalCommand;

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
    ExternalCommand external =
        ExternalCommand.of(command).withStderr(ExternalCommand.Stderr.DISCARD);
    if (slurmConf.isPresent()) {
      external = external.withEnvironment("SLURM_CONF", slurmConf.get().toString());
    }
    try {
      CommandOutput output = external.run(timeout);
      return new Result(output.exitCode(), output.stdout());
    } catch (CommandException e) {
      throw switch (e.reason()) {
        case START_FAILED -> (IOException) e.getCause();
        case TIMED_OUT ->
            new IOException(
                command.get(0) + " did not finish within " + timeout.toSeconds() + " s", e);
        case INPUT_FAILED, OUTPUT_FAILED ->
            new IOException("reading the output of " + command.get(0) + " failed", e);
      };
    }
  }
}
