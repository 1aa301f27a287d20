package org.hpcs.agent.mount;

import java.util.List;

/**
 * Outcome of an external command.
 *
 * @param argv the command line that ran (never contains a secret: secrets go to standard input)
 * @param exitCode the exit status
 * @param output standard output and standard error, merged and cut to a bounded size
 */
public record CommandResult(List<String> argv, int exitCode, String output) {

  /** Copies the command line. */
  public CommandResult {
    argv = List.copyOf(argv);
  }

  /** Returns true when the command exited with status 0. */
  public boolean succeeded() {
    return exitCode == 0;
  }

  /** Returns the output with surrounding white space removed, for error messages. */
  public String trimmedOutput() {
    return output.strip();
  }
}
