package org.hpcs.server.config;

import java.util.List;

/** The configuration file is unusable. The message lists every problem found, one per line. */
public class ConfigException extends Exception {
  private static final long serialVersionUID = 1L;

  private final List<String> problems;

  /** Creates the exception for the given file and problems. */
  public ConfigException(String file, List<String> problems) {
    super(
        "invalid configuration "
            + file
            + " ("
            + problems.size()
            + (problems.size() == 1 ? " problem" : " problems")
            + "):\n  "
            + String.join("\n  ", problems));
    this.problems = List.copyOf(problems);
  }

  /** Returns the problems, each naming its key. */
  public List<String> problems() {
    return problems;
  }
}
