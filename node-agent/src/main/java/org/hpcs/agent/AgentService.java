package org.hpcs.agent;

import org.hpcs.agent.job.JobRegistry;
import org.hpcs.agent.job.PipelineException;
import org.hpcs.agent.job.StepLaunch;
import org.hpcs.agent.protocol.Reply;
import org.hpcs.agent.protocol.Request;
import org.hpcs.agent.socket.RequestHandler;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/** Routes socket requests to the job registry and turns the outcome into replies. */
public final class AgentService implements RequestHandler {
  private static final Logger LOG = LoggerFactory.getLogger(AgentService.class);

  private final String node;
  private final JobRegistry registry;

  /** Creates the service for this node. */
  public AgentService(String node, JobRegistry registry) {
    this.node = node;
    this.registry = registry;
  }

  @Override
  public Reply handle(Request request) {
    if (!request.node().equals(node)) {
      LOG.warn(
          "rejected {}: it names node {}, but this agent serves {}", request, request.node(), node);
      return Reply.error(
          "request names node "
              + request.node()
              + ", but this node agent serves "
              + node
              + "; check the socket path in plugstack.conf");
    }
    return switch (request) {
      case Request.JobStart start -> {
        registry.announce(start);
        yield Reply.ok();
      }
      case Request.StepStart start -> attach(start);
      case Request.StepEnd end -> {
        registry.detachStep(end);
        yield Reply.ok();
      }
      case Request.JobEnd end -> {
        registry.endJob(end);
        yield Reply.ok();
      }
    };
  }

  private Reply attach(Request.StepStart start) {
    try {
      StepLaunch launch = registry.attachStep(start);
      LOG.info(
          "job {} step {} attached on {}, launch file {}",
          start.jobId(),
          start.stepId(),
          node,
          launch.launchFile());
      return Reply.launch(launch.launchFile().toString());
    } catch (PipelineException e) {
      LOG.warn(
          "job {} step {} rejected on {}: {}", start.jobId(), start.stepId(), node, e.getMessage());
      return Reply.error(e.getMessage());
    }
  }
}
