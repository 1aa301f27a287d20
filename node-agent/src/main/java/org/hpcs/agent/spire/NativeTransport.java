package org.hpcs.agent.spire;

/**
 * Checks that gRPC's native epoll transport, which java-spiffe needs for a {@code unix:} Workload
 * API address, loads on this os/arch, so a missing native fails start-up with a clear message
 * instead of a hang or a bare "channel closed".
 */
public final class NativeTransport {
  private NativeTransport() {}

  /**
   * Fails unless the epoll transport is available.
   *
   * @throws SvidException naming the os/arch and the reason
   */
  public static void check() throws SvidException {
    String platform = System.getProperty("os.name") + "/" + System.getProperty("os.arch");
    if (!io.grpc.netty.shaded.io.netty.channel.epoll.Epoll.isAvailable()) {
      Throwable cause = io.grpc.netty.shaded.io.netty.channel.epoll.Epoll.unavailabilityCause();
      throw new SvidException(
          "the native epoll transport for the Workload API unix socket is not available on "
              + platform
              + " ("
              + (cause == null ? "no reason given" : cause.getMessage())
              + "); install an hpcs-node-agent build that carries grpc-netty-shaded's epoll"
              + " native library for this platform",
          cause);
    }
  }
}
