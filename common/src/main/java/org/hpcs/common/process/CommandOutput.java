package org.hpcs.common.process;

/**
 * The exit status and output of a finished external command, decoded as UTF-8.
 *
 * @param exitCode the exit status
 * @param stdout the standard output, or both streams when standard error was merged into it
 * @param stderr the standard error, or "" when it was merged or discarded
 */
public record CommandOutput(int exitCode, String stdout, String stderr) {

  /** Returns true when the command exited with status 0. */
  public boolean succeeded() {
    return exitCode == 0;
  }
}
