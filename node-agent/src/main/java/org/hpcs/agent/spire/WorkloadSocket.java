package org.hpcs.agent.spire;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.Map;
import org.hpcs.agent.config.AgentConfig;

/** Finds the Workload API socket and waits for it to appear. */
public final class WorkloadSocket {
  /** Environment variable that names the Workload API socket (SPIFFE Workload Endpoint spec). */
  public static final String ENDPOINT_VARIABLE = "SPIFFE_ENDPOINT_SOCKET";

  private WorkloadSocket() {}

  /**
   * Resolves the socket: the {@code workload-api.socket} config key first, then {@value
   * #ENDPOINT_VARIABLE}, then {@code agent { socket_path }} of the spire-agent config.
   *
   * @throws SvidException when no source names a socket
   */
  public static Path resolve(AgentConfig.Spire spire, Map<String, String> environment)
      throws SvidException {
    if (spire.workloadSocket().isPresent()) {
      return spire.workloadSocket().get();
    }
    String endpoint = environment.get(ENDPOINT_VARIABLE);
    if (endpoint != null && !endpoint.isBlank()) {
      return fromEndpoint(endpoint);
    }
    if (spire.agentConfig().isPresent()) {
      try {
        return SpireAgentConfig.load(spire.agentConfig().get()).socketPath();
      } catch (HclException e) {
        throw new SvidException(e.getMessage(), e);
      }
    }
    throw new SvidException(
        "no Workload API socket configured: set workload-api.socket, "
            + ENDPOINT_VARIABLE
            + " or spire.agent.config");
  }

  /** Parses {@code unix:/path} or {@code unix:///path}. */
  static Path fromEndpoint(String endpoint) throws SvidException {
    String path =
        endpoint.startsWith("unix://")
            ? endpoint.substring(7)
            : endpoint.startsWith("unix:") ? endpoint.substring(5) : "";
    if (!path.startsWith("/")) {
      throw new SvidException(ENDPOINT_VARIABLE + "='" + endpoint + "' is not unix:/absolute/path");
    }
    return Path.of(path);
  }

  /**
   * Waits until the socket exists.
   *
   * @throws SvidException when it does not appear within the timeout
   */
  public static void await(Path socket, Duration timeout, Clock clock) throws SvidException {
    Instant deadline = clock.instant().plus(timeout);
    while (!Files.exists(socket)) {
      if (clock.instant().isAfter(deadline)) {
        throw new SvidException(
            "Workload API socket "
                + socket
                + " not present after "
                + timeout.toSeconds()
                + " s; check that spire-agent runs and uses this socket_path");
      }
      try {
        Thread.sleep(200);
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        throw new SvidException("interrupted while waiting for " + socket, e);
      }
    }
  }

  /** Returns the socket as the {@code unix:} address java-spiffe expects. */
  public static String address(Path socket) {
    return "unix:" + socket;
  }
}
