package org.hpcs.agent.report;

/** Records job events; implementations never throw, because a report must not fail a job. */
public interface Reporter {
  /** Records one event. */
  void report(JobEvent event);
}
