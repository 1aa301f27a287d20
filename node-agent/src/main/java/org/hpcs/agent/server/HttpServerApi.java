package org.hpcs.agent.server;

import com.fasterxml.jackson.databind.JsonNode;
import io.spiffe.provider.SpiffeSslContextFactory;
import io.spiffe.spiffeid.SpiffeId;
import io.spiffe.workloadapi.X509Source;
import java.security.GeneralSecurityException;
import java.util.Set;
import javax.net.ssl.SSLContext;
import org.hpcs.agent.config.AgentConfig;
import org.hpcs.common.api.JobEndRequest;
import org.hpcs.common.api.JobEndResponse;
import org.hpcs.common.api.JobEventRequest;
import org.hpcs.common.api.JobStartRequest;
import org.hpcs.common.api.JobStartResponse;

/**
 * The job endpoints over mutual TLS: the agent presents its X.509-SVID, and the server must present
 * the configured SPIFFE ID, which replaces the host name check.
 */
public final class HttpServerApi implements ServerApi {
  private final JsonHttp http;
  private final String node;

  private HttpServerApi(JsonHttp http, String node) {
    this.http = http;
    this.node = node;
  }

  /**
   * Creates the client.
   *
   * @throws ServerException when the TLS context cannot be built
   */
  public static HttpServerApi create(AgentConfig.Server server, X509Source svid, String node)
      throws ServerException {
    try {
      SpiffeId serverId = SpiffeId.parse(server.spiffeId());
      SSLContext tls =
          SpiffeSslContextFactory.getSslContext(
              SpiffeSslContextFactory.SslContextOptions.builder()
                  .x509Source(svid)
                  .acceptedSpiffeIdsSupplier(() -> Set.of(serverId))
                  .build());
      return new HttpServerApi(
          new JsonHttp(
              server.url(), tls.getSocketFactory(), (host, session) -> true, server.timeout()),
          node);
    } catch (GeneralSecurityException | IllegalArgumentException e) {
      throw new ServerException(
          "cannot set up mutual TLS to " + server.url() + ": " + e.getMessage(), e);
    }
  }

  @Override
  public JobStartResponse startJob(long jobId, JobStartRequest request) throws ServerException {
    return http.post("/v1/jobs/" + jobId + "/start", request, JobStartResponse.class);
  }

  @Override
  public void reportEvent(long jobId, String step, String event, String detail)
      throws ServerException {
    var unused =
        http.post(
            "/v1/jobs/" + jobId + "/events",
            new JobEventRequest(node, step, event, detail),
            JsonNode.class);
  }

  @Override
  public JobEndResponse endJob(long jobId) throws ServerException {
    return http.post("/v1/jobs/" + jobId + "/end", new JobEndRequest(node), JobEndResponse.class);
  }
}
