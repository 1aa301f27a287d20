package org.hpcs.agent.server;

import org.hpcs.common.api.JobEndResponse;
import org.hpcs.common.api.JobStartRequest;
import org.hpcs.common.api.JobStartResponse;

/**
 * The node agent's calls to the HPCS server, over mutual TLS with the node's X.509-SVID. The
 * request and response bodies are the wire types of {@code org.hpcs.common.api} that the server
 * uses.
 */
public interface ServerApi {
  /**
   * Asks for the job's key release on this node: {@code POST /v1/jobs/{id}/start}.
   *
   * @return the Vault role, JWT audience and mount, the key locations and the owners' age
   *     recipients
   * @throws ServerException when the server denies the job ({@link ServerException#status()} and
   *     {@link ServerException#error()} carry its answer) or cannot be reached
   */
  JobStartResponse startJob(long jobId, JobStartRequest request) throws ServerException;

  /**
   * Reports a job event for the audit log: {@code POST /v1/jobs/{id}/events}.
   *
   * @throws ServerException when the server rejects the event or cannot be reached
   */
  void reportEvent(long jobId, String step, String event, String detail) throws ServerException;

  /**
   * Ends the job on this node: {@code POST /v1/jobs/{id}/end}. The last node's end deletes the
   * job's Vault role.
   *
   * @return the nodes that still run the job and whether the role is deleted
   * @throws ServerException when the server rejects the call or cannot be reached
   */
  JobEndResponse endJob(long jobId) throws ServerException;
}
