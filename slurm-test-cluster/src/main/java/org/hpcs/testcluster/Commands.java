package org.hpcs.testcluster;

import java.time.Duration;
import java.util.List;
import org.hpcs.common.process.CommandException;
import org.hpcs.common.process.CommandOutput;
import org.hpcs.common.process.ExternalCommand;

/** Runs external commands with a time limit and captures their output. */
final class Commands {

  private Commands() {}

  /**
   * Runs a command and waits for it.
   *
   * @throws TestClusterException if it cannot start or does not finish within the timeout
   */
  static CommandResult run(Duration timeout, List<String> command) {
    try {
      CommandOutput output = ExternalCommand.of(command).run(timeout);
      return new CommandResult(command, output.exitCode(), output.stdout(), output.stderr());
    } catch (CommandException e) {
      String line = String.join(" ", command);
      throw switch (e.reason()) {
        case TIMED_OUT ->
            new TestClusterException(
                line + " did not finish within " + timeout.toSeconds() + " s", e);
        case START_FAILED ->
            new TestClusterException("Cannot run " + line + ": " + e.getCause(), e);
        case INPUT_FAILED, OUTPUT_FAILED ->
            new TestClusterException("Cannot run " + line + ": " + e.getMessage(), e);
      };
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new TestClusterException("Interrupted while running " + command.get(0), e);
    }
  }
}
