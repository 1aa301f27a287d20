package org.hpcs.agent.server;

import io.spiffe.provider.SpiffeSslContextFactory;
import io.spiffe.spiffeid.SpiffeId;
import io.spiffe.workloadapi.X509Source;
import java.security.GeneralSecurityException;
import java.util.Map;
import java.util.Set;
import javax.net.ssl.SSLContext;
import org.hpcs.agent.config.AgentConfig;

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
  public void startJob(long jobId, JobStartFacts facts) throws ServerException {
    http.post("/v1/jobs/" + jobId + "/start", facts);
  }

  @Override
  public void reportEvent(long jobId, String step, String event, String detail)
      throws ServerException {
    http.post(
        "/v1/jobs/" + jobId + "/events",
        Map.of("node", node, "step", step, "event", event, "detail", detail));
  }

  @Override
  public void endJob(long jobId) throws ServerException {
    http.post("/v1/jobs/" + jobId + "/end", Map.of("node", node));
  }
}
