package org.hpcs.agent.report;

import java.util.List;

/** Combines reporters. */
public final class Reporters {
  private Reporters() {}

  /** Returns a reporter that hands every event to each of the given reporters in order. */
  public static Reporter all(List<Reporter> reporters) {
    List<Reporter> copy = List.copyOf(reporters);
    return event -> copy.forEach(r -> r.report(event));
  }
}
