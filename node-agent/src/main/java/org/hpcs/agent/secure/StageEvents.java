package org.hpcs.agent.secure;

import java.time.Clock;
import org.hpcs.agent.report.JobEvent;
import org.hpcs.agent.report.Reporter;

/** Reports the pipeline's stages of a job to the journal and the server's audit log. */
final class StageEvents {
  private final String node;
  private final Reporter reporter;
  private final Clock clock;

  StageEvents(String node, Reporter reporter, Clock clock) {
    this.node = node;
    this.reporter = reporter;
    this.clock = clock;
  }

  /** Reports a job-level event; the detail must hold no secret. */
  void report(long jobId, String event, String detail) {
    reporter.report(new JobEvent(clock.instant(), node, jobId, "job", event, detail));
  }
}
