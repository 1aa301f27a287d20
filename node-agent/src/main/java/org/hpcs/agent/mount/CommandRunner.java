package org.hpcs.agent.mount;

import java.time.Duration;
import java.util.List;
import org.hpcs.common.process.CommandException;
import org.hpcs.common.process.CommandOutput;
import org.hpcs.common.process.ExternalCommand;

/**
 * Runs short-lived external tools (gocryptfs -init, fusermount3, squashfuse) with an optional
 * secret on standard input. The secret is written to a pipe and the pipe is closed, so it never
 * appears on a command line, in the environment or in a file.
 */
public final class CommandRunner {
  private static final int MAX_OUTPUT = 64 * 1024;

  private CommandRunner() {}

  /**
   * Runs {@code argv} with an empty standard input.
   *
   * @throws MountException if the command cannot be started or does not finish in {@code timeout}
   */
  public static CommandResult run(List<String> argv, Duration timeout) throws MountException {
    return run(argv, new byte[0], timeout);
  }

  /**
   * Runs {@code argv}, writes {@code stdin} to its standard input and closes it. Standard error is
   * merged into the output, of which the first 64 KiB are kept. The caller keeps ownership of
   * {@code stdin} and wipes it.
   *
   * @throws MountException if the command cannot be started or does not finish in {@code timeout}
   */
  public static CommandResult run(List<String> argv, byte[] stdin, Duration timeout)
      throws MountException {
    ExternalCommand command =
        ExternalCommand.of(argv)
            .withStdin(stdin)
            .withStderr(ExternalCommand.Stderr.MERGE)
            .withMaxOutputBytes(MAX_OUTPUT);
    try {
      CommandOutput output = command.run(timeout);
      return new CommandResult(argv, output.exitCode(), output.stdout());
    } catch (CommandException e) {
      throw failure(argv.get(0), timeout, e);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new MountException("Interrupted while running " + argv.get(0), e);
    }
  }

  private static MountException failure(String program, Duration timeout, CommandException e) {
    return switch (e.reason()) {
      case START_FAILED ->
          new MountException(
              "Cannot start " + program + ": " + e.getCause().getMessage() + "; is it installed?",
              e);
      case TIMED_OUT ->
          new MountException(
              program + " did not finish within " + timeout.toSeconds() + " s; it was killed", e);
      case INPUT_FAILED -> new MountException("Cannot write to the standard input of a tool", e);
      case OUTPUT_FAILED -> new MountException("Cannot read the output of " + program, e);
    };
  }
}
