package org.hpcs.testcluster;

import java.util.List;

/**
 * What a finished command printed and returned.
 *
 * @param command the command line that ran
 * @param exitCode its exit status
 * @param stdout its standard output
 * @param stderr its standard error
 */
public record CommandResult(List<String> command, int exitCode, String stdout, String stderr) {

  public CommandResult {
    command = List.copyOf(command);
  }

  /** True when the command exited with status 0. */
  public boolean succeeded() {
    return exitCode == 0;
  }

  /** A one-line account of the command for assertion and error messages. */
  public String describe() {
    return String.join(" ", command)
        + " exited with "
        + exitCode
        + "; stdout: "
        + stdout.strip()
        + "; stderr: "
        + stderr.strip();
  }
}
