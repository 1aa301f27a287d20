package org.hpcs.agent.server;

/** The node agent's calls to the HPCS server (mutual TLS with the node's X.509-SVID). */
public interface ServerApi {
  /** Starts a job on this node: {@code POST /v1/jobs/{id}/start}. */
  void startJob(long jobId, JobStartFacts facts) throws ServerException;

  /** Reports a job event: {@code POST /v1/jobs/{id}/events}. */
  void reportEvent(long jobId, String step, String event, String detail) throws ServerException;

  /** Ends a job on this node: {@code POST /v1/jobs/{id}/end}. */
  void endJob(long jobId) throws ServerException;
}
