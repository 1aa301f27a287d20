package org.hpcs.agent.socket;

import java.io.IOException;
import java.net.StandardProtocolFamily;
import java.net.UnixDomainSocketAddress;
import java.nio.ByteBuffer;
import java.nio.channels.ClosedChannelException;
import java.nio.channels.ServerSocketChannel;
import java.nio.channels.SocketChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Duration;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import jdk.net.ExtendedSocketOptions;
import org.hpcs.agent.protocol.ProtocolException;
import org.hpcs.agent.protocol.Reply;
import org.hpcs.agent.protocol.Request;
import org.hpcs.agent.protocol.Requests;
import org.hpcs.agent.protocol.WireCodec;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Serves the agent's Unix socket: one request and one final reply per connection, each on its own
 * virtual thread. The peer's credentials (SO_PEERCRED) are checked before anything is read. A peer
 * that sends nothing, too little or too slowly is cut off after the I/O timeout, and while a
 * request is being handled the peer gets a progress reply at every progress interval.
 */
public final class AgentSocketServer implements AutoCloseable {
  private static final Logger LOG = LoggerFactory.getLogger(AgentSocketServer.class);

  private final Path path;
  private final PeerPolicy policy;
  private final RequestHandler handler;
  private final Duration ioTimeout;
  private final Duration progressInterval;
  private final Duration requestTimeout;
  private final ExecutorService connections = Executors.newVirtualThreadPerTaskExecutor();
  private final ScheduledExecutorService timers = Executors.newSingleThreadScheduledExecutor();
  private ServerSocketChannel server;
  private Thread acceptor;

  /**
   * Creates the server; {@link #start()} binds it.
   *
   * @param path socket path; its directory is created 0700 if missing
   * @param policy users allowed to connect
   * @param handler handles each valid request
   * @param ioTimeout longest wait for a request to arrive or a reply to be written
   * @param progressInterval interval of the progress replies sent while a request is handled
   * @param requestTimeout longest time a request may take; then the peer gets an error reply
   */
  public AgentSocketServer(
      Path path,
      PeerPolicy policy,
      RequestHandler handler,
      Duration ioTimeout,
      Duration progressInterval,
      Duration requestTimeout) {
    this.path = path;
    this.policy = policy;
    this.handler = handler;
    this.ioTimeout = ioTimeout;
    this.progressInterval = progressInterval;
    this.requestTimeout = requestTimeout;
  }

  /**
   * Binds the socket (mode 0600, replacing a stale socket file) and starts accepting.
   *
   * @throws IOException when the path exists and is not a socket, or binding fails
   */
  public synchronized void start() throws IOException {
    Path dir = path.toAbsolutePath().getParent();
    if (!Files.isDirectory(dir)) {
      Files.createDirectories(
          dir, PosixFilePermissions.asFileAttribute(PosixFilePermissions.fromString("rwx------")));
    }
    if (Files.exists(path) && !Files.isDirectory(path) && !Files.isRegularFile(path)) {
      refuseIfServed(path);
      Files.delete(path);
    } else if (Files.exists(path)) {
      throw new IOException(
          "socket path " + path + " exists and is not a socket; remove it or choose another path");
    }
    server = ServerSocketChannel.open(StandardProtocolFamily.UNIX);
    server.bind(UnixDomainSocketAddress.of(path), 64);
    Files.setPosixFilePermissions(path, PosixFilePermissions.fromString("rw-------"));
    acceptor = Thread.ofPlatform().name("agent-socket-accept").daemon(true).start(this::acceptLoop);
    LOG.info("listening on {}", path);
  }

  /** Rejects a socket path that a live process still serves; a stale file may be replaced. */
  private static void refuseIfServed(Path path) throws IOException {
    SocketChannel probe;
    try {
      probe = SocketChannel.open(UnixDomainSocketAddress.of(path));
    } catch (java.net.SocketException e) {
      LOG.info("replacing stale socket file {}", path);
      return;
    }
    probe.close();
    throw new IOException("another process already listens on " + path + "; stop it first");
  }

  private void acceptLoop() {
    while (server.isOpen()) {
      try {
        SocketChannel channel = server.accept();
        connections.execute(() -> serve(channel));
      } catch (ClosedChannelException e) {
        return;
      } catch (IOException e) {
        LOG.error("accepting a connection on {} failed: {}", path, e.getMessage());
      }
    }
  }

  private void serve(SocketChannel channel) {
    ScheduledFuture<?> watchdog = closeLater(channel);
    try (channel) {
      String user = channel.getOption(ExtendedSocketOptions.SO_PEERCRED).user().getName();
      Optional<Request> request = readRequest(channel, user);
      if (request.isEmpty()) {
        return;
      }
      watchdog.cancel(false);
      Reply reply = handleWithProgress(channel, request.get());
      watchdog = closeLater(channel);
      write(channel, reply);
    } catch (IOException e) {
      LOG.warn("connection on {} failed: {}", path, e.getMessage());
    } finally {
      watchdog.cancel(false);
    }
  }

  /**
   * Reads and checks one request. A peer that may not connect, or whose request is malformed, gets
   * an error reply here. The request of a rejected peer is read (bounded by the frame limit and the
   * I/O timeout) only so that the peer is not cut off before it can read the reason.
   */
  private Optional<Request> readRequest(SocketChannel channel, String user) throws IOException {
    boolean allowed = policy.allows(user);
    try {
      byte[] payload = WireCodec.readFrame(channel);
      if (!allowed) {
        reject(channel, user);
        return Optional.empty();
      }
      return payload == null
          ? Optional.empty()
          : Optional.of(Requests.parse(WireCodec.decode(payload)));
    } catch (ProtocolException e) {
      if (!allowed) {
        reject(channel, user);
      } else {
        LOG.warn("rejected a malformed request on {}: {}", path, e.getMessage());
        write(channel, Reply.error("malformed request: " + e.getMessage()));
      }
      return Optional.empty();
    }
  }

  private void reject(SocketChannel channel, String user) throws IOException {
    LOG.warn(
        "rejected a connection on {} from user {}: only {} may use the node agent socket",
        path,
        user,
        policy.allowedUsers());
    write(channel, Reply.error("user " + user + " may not use the HPCS node agent socket"));
  }

  private ScheduledFuture<?> closeLater(SocketChannel channel) {
    return timers.schedule(
        () -> closeQuietly(channel), ioTimeout.toMillis(), TimeUnit.MILLISECONDS);
  }

  private Reply handleWithProgress(SocketChannel channel, Request request) throws IOException {
    CompletableFuture<Reply> result =
        CompletableFuture.supplyAsync(() -> handler.handle(request), connections);
    long deadline = System.nanoTime() + requestTimeout.toNanos();
    while (true) {
      try {
        return result.get(progressInterval.toMillis(), TimeUnit.MILLISECONDS);
      } catch (TimeoutException e) {
        if (System.nanoTime() > deadline) {
          LOG.error(
              "{} did not finish within {} s; the step is failed",
              request,
              requestTimeout.toSeconds());
          return Reply.error(
              "the node agent on "
                  + request.node()
                  + " did not finish job "
                  + request.jobId()
                  + " within "
                  + requestTimeout.toSeconds()
                  + " s; see its log");
        }
        write(channel, Reply.progress("the node agent is still working on job " + request.jobId()));
      } catch (ExecutionException e) {
        LOG.error("handling {} failed", request, e.getCause());
        return Reply.error(
            "internal error of the node agent on " + request.node() + "; see its log");
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        return Reply.error("the node agent on " + request.node() + " is shutting down");
      }
    }
  }

  private static void write(SocketChannel channel, Reply reply) throws IOException {
    ByteBuffer frame = ByteBuffer.wrap(reply.encode());
    synchronized (channel) {
      while (frame.hasRemaining()) {
        channel.write(frame);
      }
    }
  }

  private static void closeQuietly(SocketChannel channel) {
    try {
      channel.close();
    } catch (IOException e) {
      LOG.debug("closing a timed-out connection failed: {}", e.getMessage());
    }
  }

  @Override
  public synchronized void close() throws IOException {
    if (server != null) {
      server.close();
      Files.deleteIfExists(path);
    }
    connections.shutdown();
    timers.shutdownNow();
    if (acceptor != null) {
      acceptor.interrupt();
    }
  }
}
