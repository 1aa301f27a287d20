package org.hpcs.client.ssh;

/**
 * The outcome of a command run on the cluster.
 *
 * @param exitStatus the command's exit status, or -1 when the server reported none
 * @param stdout its standard output
 * @param stderr its standard error
 */
public record RemoteResult(int exitStatus, String stdout, String stderr) {
  /** Returns true when the command exited with status 0. */
  public boolean succeeded() {
    return exitStatus == 0;
  }
}
