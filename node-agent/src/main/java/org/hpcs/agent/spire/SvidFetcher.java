package org.hpcs.agent.spire;

import io.grpc.Status;
import io.grpc.StatusRuntimeException;
import io.spiffe.exception.SocketEndpointAddressException;
import io.spiffe.exception.X509ContextException;
import io.spiffe.exception.X509SourceException;
import io.spiffe.spiffeid.SpiffeId;
import io.spiffe.svid.x509svid.X509Svid;
import io.spiffe.workloadapi.DefaultWorkloadApiClient;
import io.spiffe.workloadapi.DefaultX509Source;
import io.spiffe.workloadapi.WorkloadApiClient;
import io.spiffe.workloadapi.X509Context;
import io.spiffe.workloadapi.X509Source;
import java.io.IOException;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Fetches the node agent's X.509-SVID from the local spire-agent. A PermissionDenied "no identity
 * issued" is normal for up to one sync interval after a registration entry was created, so it is
 * retried with backoff until the configured timeout (at least two sync intervals) runs out.
 */
public final class SvidFetcher {
  private static final Logger LOG = LoggerFactory.getLogger(SvidFetcher.class);
  private static final Duration MAX_BACKOFF = Duration.ofSeconds(5);

  private final Path socket;
  private final SpiffeId expected;
  private final Duration timeout;
  private final Clock clock;

  /**
   * Creates a fetcher.
   *
   * @param socket the Workload API socket
   * @param expected the SPIFFE ID the node agent must receive
   * @param timeout how long to retry
   * @param clock the clock for the deadline
   */
  public SvidFetcher(Path socket, SpiffeId expected, Duration timeout, Clock clock) {
    this.socket = socket;
    this.expected = expected;
    this.timeout = timeout;
    this.clock = clock;
  }

  /**
   * Waits for the expected SVID and returns a source that keeps it rotated.
   *
   * @throws SvidException when the SVID is not issued in time, naming the expected SPIFFE ID
   */
  public X509Source fetch() throws SvidException {
    NativeTransport.check();
    awaitIdentity();
    try {
      return DefaultX509Source.newSource(
          DefaultX509Source.X509SourceOptions.builder()
              .spiffeSocketPath(WorkloadSocket.address(socket))
              .svidPicker(list -> pick(list))
              .initTimeout(timeout)
              .build());
    } catch (SocketEndpointAddressException | X509SourceException e) {
      throw new SvidException(
          "watching the X.509-SVID " + expected + " at " + socket + " failed: " + e.getMessage(),
          e);
    }
  }

  private X509Svid pick(List<X509Svid> svids) {
    return svids.stream()
        .filter(s -> s.getSpiffeId().equals(expected))
        .findFirst()
        .orElse(svids.get(0));
  }

  private void awaitIdentity() throws SvidException {
    Instant deadline = clock.instant().plus(timeout);
    Duration backoff = Duration.ofMillis(500);
    String last = "no answer yet";
    while (true) {
      try (WorkloadApiClient client =
          DefaultWorkloadApiClient.newClient(
              DefaultWorkloadApiClient.ClientOptions.builder()
                  .spiffeSocketPath(WorkloadSocket.address(socket))
                  .build())) {
        X509Context context = client.fetchX509Context();
        List<SpiffeId> ids = context.getX509Svids().stream().map(X509Svid::getSpiffeId).toList();
        if (ids.contains(expected)) {
          LOG.info("X.509-SVID {} issued by the SPIRE agent at {}", expected, socket);
          return;
        }
        // java-spiffe 0.8.11 keeps one SVID per hint (an empty hint counts), so a second entry
        // without a hint for the same selectors can hide the expected SVID.
        last =
            "the agent issued "
                + ids
                + " but not "
                + expected
                + " (entries for the same"
                + " selectors need distinct hints)";
      } catch (X509ContextException e) {
        last = describe(e);
      } catch (SocketEndpointAddressException e) {
        throw new SvidException(
            "Workload API address " + socket + " is invalid: " + e.getMessage(), e);
      } catch (IOException e) {
        last = "closing the Workload API client failed: " + e.getMessage();
      }
      if (clock.instant().plus(backoff).isAfter(deadline)) {
        throw new SvidException(
            "no X.509-SVID "
                + expected
                + " issued by the SPIRE agent at "
                + socket
                + " within "
                + timeout.toSeconds()
                + " s (last answer: "
                + last
                + "); check that a registration"
                + " entry for "
                + expected
                + " exists with selectors matching the node agent"
                + " (for example unix:uid:0) under this node's SPIRE agent");
      }
      LOG.info(
          "X.509-SVID {} not issued yet ({}); retrying in {} ms",
          expected,
          last,
          backoff.toMillis());
      sleep(backoff);
      backoff =
          backoff.multipliedBy(2).compareTo(MAX_BACKOFF) > 0
              ? MAX_BACKOFF
              : backoff.multipliedBy(2);
    }
  }

  private static String describe(Throwable e) {
    for (Throwable t = e; t != null; t = t.getCause()) {
      if (t instanceof StatusRuntimeException s) {
        Status status = s.getStatus();
        return status.getCode()
            + " "
            + (status.getDescription() == null ? "" : status.getDescription());
      }
    }
    return e.getMessage();
  }

  private static void sleep(Duration duration) throws SvidException {
    try {
      Thread.sleep(duration);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new SvidException("interrupted while waiting for the X.509-SVID", e);
    }
  }
}
