package org.hpcs.agent.socket;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.net.StandardProtocolFamily;
import java.net.UnixDomainSocketAddress;
import java.nio.ByteBuffer;
import java.nio.channels.SocketChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import org.hpcs.agent.protocol.Reply;
import org.hpcs.agent.protocol.Request;
import org.hpcs.agent.protocol.WireCodec;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

class AgentSocketServerTest {
  private Path dir;
  private Path socket;
  private final List<Request> handled = new CopyOnWriteArrayList<>();
  private AgentSocketServer server;

  @BeforeEach
  void setUp() throws IOException {
    // Under /tmp and world-traversable, so the credential test's other user reaches the socket.
    dir = Files.createTempDirectory(Path.of("/tmp"), "hpcs-agent-test-");
    Files.setPosixFilePermissions(dir, PosixFilePermissions.fromString("rwxr-xr-x"));
    socket = dir.resolve("agent.sock");
  }

  @AfterEach
  void tearDown() throws IOException {
    if (server != null) {
      server.close();
    }
    Files.deleteIfExists(socket);
    Files.deleteIfExists(dir);
  }

  private void start(RequestHandler handler) throws IOException {
    server =
        new AgentSocketServer(
            socket,
            new PeerPolicy(Set.of("root", "slurm")),
            handler,
            Duration.ofSeconds(1),
            Duration.ofMillis(300),
            Duration.ofSeconds(2));
    server.start();
  }

  private List<String> exchange(byte[] frame) throws IOException, Exception {
    try (SocketChannel channel = SocketChannel.open(StandardProtocolFamily.UNIX)) {
      channel.connect(UnixDomainSocketAddress.of(socket));
      ByteBuffer out = ByteBuffer.wrap(frame);
      while (out.hasRemaining()) {
        channel.write(out);
      }
      List<String> replies = new ArrayList<>();
      byte[] reply;
      while ((reply = WireCodec.readFrame(channel)) != null) {
        replies.add(new String(reply, StandardCharsets.UTF_8));
        if (!replies.getLast().contains("status=progress")) {
          break;
        }
      }
      return replies;
    }
  }

  private static byte[] jobEnd(String node) {
    return WireCodec.encode(Map.of("op", "job_end", "job", "3", "node", node));
  }

  @Test
  void request_fromRoot_handled() throws Exception {
    start(
        request -> {
          handled.add(request);
          return Reply.ok();
        });

    assertThat(exchange(jobEnd("n1"))).containsExactly("v=1\nstatus=ok\n");
    assertThat(handled).containsExactly(new Request.JobEnd(3, "n1"));
  }

  @Test
  void socket_mode_0600() throws Exception {
    start(request -> Reply.ok());

    assertThat(PosixFilePermissions.toString(Files.getPosixFilePermissions(socket)))
        .isEqualTo("rw-------");
  }

  @Test
  void request_malformed_errorReplyAndNotHandled() throws Exception {
    start(
        request -> {
          handled.add(request);
          return Reply.ok();
        });
    byte[] payload = "v=1\nop=job_end\njob=x\nnode=n1\n".getBytes(StandardCharsets.UTF_8);
    byte[] frame =
        ByteBuffer.allocate(4 + payload.length).putInt(payload.length).put(payload).array();

    assertThat(exchange(frame))
        .singleElement()
        .asString()
        .contains("status=error", "malformed request: field 'job' is not a decimal number");
    assertThat(handled).isEmpty();
  }

  @Test
  void request_oversizedFrame_rejectedWithoutReadingIt() throws Exception {
    start(request -> Reply.ok());
    byte[] frame = ByteBuffer.allocate(4).putInt(64 * 1024 * 1024).array();

    assertThat(exchange(frame))
        .singleElement()
        .asString()
        .contains("status=error", "frame length 67108864");
  }

  @Test
  void request_slowHandler_progressThenOk() throws Exception {
    start(
        request -> {
          try {
            Thread.sleep(1000);
          } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
          }
          return Reply.ok();
        });

    List<String> replies = exchange(jobEnd("n1"));

    assertThat(replies.getLast()).isEqualTo("v=1\nstatus=ok\n");
    assertThat(replies.subList(0, replies.size() - 1))
        .isNotEmpty()
        .allMatch(r -> r.contains("status=progress"));
  }

  @Test
  void request_handlerTooSlow_errorAfterRequestTimeout() throws Exception {
    start(
        request -> {
          try {
            Thread.sleep(5000);
          } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
          }
          return Reply.ok();
        });

    List<String> replies = exchange(jobEnd("n1"));

    assertThat(replies.getLast())
        .contains("status=error", "the node agent on n1 did not finish job 3 within 2 s");
  }

  @Test
  void connection_silentPeer_closedAfterTimeout() throws Exception {
    start(request -> Reply.ok());
    try (SocketChannel channel = SocketChannel.open(StandardProtocolFamily.UNIX)) {
      channel.connect(UnixDomainSocketAddress.of(socket));

      assertThat(channel.read(ByteBuffer.allocate(16))).isEqualTo(-1);
    }
  }

  @Test
  void connection_fromNobody_rejected() throws Exception {
    start(
        request -> {
          handled.add(request);
          return Reply.ok();
        });
    Files.setPosixFilePermissions(socket, PosixFilePermissions.fromString("rw-rw-rw-"));
    String java = Path.of(System.getProperty("java.home"), "bin", "java").toString();
    String classes =
        Path.of(SocketProbe.class.getProtectionDomain().getCodeSource().getLocation().toURI())
            .toString();
    String mainClasses =
        Path.of(WireCodec.class.getProtectionDomain().getCodeSource().getLocation().toURI())
            .toString();
    Process probe =
        new ProcessBuilder(
                "runuser",
                "-u",
                "nobody",
                "--",
                java,
                "-cp",
                classes + ":" + mainClasses,
                SocketProbe.class.getName(),
                socket.toString(),
                "n1")
            .redirectErrorStream(true)
            .start();
    assertThat(probe.waitFor(30, TimeUnit.SECONDS)).isTrue();
    String output = new String(probe.getInputStream().readAllBytes(), StandardCharsets.UTF_8);

    assertThat(output)
        .contains("status=error", "user nobody may not use the HPCS node agent socket");
    assertThat(handled).isEmpty();
  }
}
