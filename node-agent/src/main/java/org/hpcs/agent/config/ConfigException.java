package org.hpcs.agent.config;

import java.nio.file.Path;
import java.util.List;

/** The agent's config file is unreadable or invalid; the message lists every problem found. */
public final class ConfigException extends Exception {
  private static final long serialVersionUID = 1L;

  private final List<String> problems;

  /** Creates the exception for the problems found in one file. */
  public ConfigException(Path file, List<String> problems) {
    super(
        "invalid node agent config "
            + file
            + " ("
            + problems.size()
            + (problems.size() == 1 ? " problem" : " problems")
            + "):\n  "
            + String.join("\n  ", problems));
    this.problems = List.copyOf(problems);
  }

  /** Returns each problem, one per bad or missing key. */
  public List<String> problems() {
    return problems;
  }
}
