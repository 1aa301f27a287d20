package org.hpcs.agent.vault;

import io.spiffe.exception.JwtSvidException;
import io.spiffe.exception.SocketEndpointAddressException;
import io.spiffe.spiffeid.SpiffeId;
import io.spiffe.workloadapi.DefaultWorkloadApiClient;
import io.spiffe.workloadapi.WorkloadApiClient;
import java.io.IOException;
import java.nio.file.Path;
import org.hpcs.agent.spire.WorkloadSocket;

/** Fetches the node agent's JWT-SVID from the local SPIRE agent's Workload API. */
public final class WorkloadJwtSource implements JwtSvidSource {
  private final Path socket;
  private final SpiffeId subject;

  /**
   * Creates the source.
   *
   * @param socket the Workload API socket
   * @param subject the node agent's SPIFFE ID, such as {@code spiffe://hpcs.test/hpcs/node/n1}
   */
  public WorkloadJwtSource(Path socket, SpiffeId subject) {
    this.socket = socket;
    this.subject = subject;
  }

  @Override
  public String fetch(String audience) throws KeyReleaseException {
    try (WorkloadApiClient client =
        DefaultWorkloadApiClient.newClient(
            DefaultWorkloadApiClient.ClientOptions.builder()
                .spiffeSocketPath(WorkloadSocket.address(socket))
                .build())) {
      return client.fetchJwtSvid(subject, audience).getToken();
    } catch (JwtSvidException | SocketEndpointAddressException | IOException e) {
      throw new KeyReleaseException(
          "the SPIRE agent at "
              + socket
              + " issued no JWT-SVID for "
              + subject
              + " with audience "
              + audience
              + ": "
              + e.getMessage()
              + "; check the node's SPIRE agent and its registration entry",
          e);
    }
  }
}
