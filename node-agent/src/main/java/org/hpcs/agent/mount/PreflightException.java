package org.hpcs.agent.mount;

import java.util.List;

/**
 * The node cannot host encrypted mounts. Lists every missing piece at once, each with the package
 * to install or the setting to change.
 */
public class PreflightException extends MountException {
  private static final long serialVersionUID = 1L;

  private final List<String> problems;

  /** Creates the exception from a non-empty list of problems. */
  public PreflightException(List<String> problems) {
    super("FUSE preflight failed, so nothing was decrypted: " + String.join("; ", problems));
    if (problems.isEmpty()) {
      throw new IllegalArgumentException("problems must not be empty");
    }
    this.problems = List.copyOf(problems);
  }

  /** Returns one message per problem found. */
  public List<String> problems() {
    return problems;
  }
}
