package org.hpcs.server.testing;

import java.io.IOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * A software TPM of the test's own, with an EK but no EK certificate, served on a free loopback
 * port outside the test stack's swtpm ports (2321 to 2342), and stopped by its process handle.
 */
public final class PrivateSwtpm implements AutoCloseable {
  private static final int STACK_FIRST_PORT = 2321;
  private static final int STACK_LAST_PORT = 2342;

  private final int port;
  private final Process process;

  private PrivateSwtpm(int port, Process process) {
    this.port = port;
    this.process = process;
  }

  /** Manufactures a TPM in {@code dir} with swtpm_setup and serves it. */
  public static PrivateSwtpm start(Path dir) throws IOException, InterruptedException {
    Path state = dir.resolve("state");
    Files.createDirectories(state);
    run(
        dir,
        List.of(
            "swtpm_setup",
            "--tpm2",
            "--tpmstate",
            state.toString(),
            "--createek",
            "--logfile",
            dir.resolve("swtpm_setup.log").toString()));
    int port = freePortPair();
    Process process =
        new ProcessBuilder(
                "swtpm",
                "socket",
                "--tpm2",
                "--server",
                "type=tcp,port=" + port + ",bindaddr=127.0.0.1",
                "--ctrl",
                "type=tcp,port=" + (port + 1) + ",bindaddr=127.0.0.1",
                "--flags",
                "not-need-init,startup-clear",
                "--tpmstate",
                "dir=" + state)
            .redirectErrorStream(true)
            .redirectOutput(dir.resolve("swtpm.log").toFile())
            .start();
    PrivateSwtpm swtpm = new PrivateSwtpm(port, process);
    swtpm.awaitListening();
    return swtpm;
  }

  /** Returns the TCTI string of this TPM. */
  public String tcti() {
    return "swtpm:host=127.0.0.1,port=" + port;
  }

  @Override
  public void close() {
    process.destroy();
    try {
      if (!process.waitFor(5, TimeUnit.SECONDS)) {
        process.destroyForcibly();
      }
    } catch (InterruptedException e) {
      process.destroyForcibly();
      Thread.currentThread().interrupt();
    }
  }

  /** Runs a command in {@code dir} and fails with its output when it exits with an error. */
  public static String run(Path dir, List<String> command)
      throws IOException, InterruptedException {
    Process process =
        new ProcessBuilder(command).directory(dir.toFile()).redirectErrorStream(true).start();
    process.getOutputStream().close();
    String output = new String(process.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
    if (!process.waitFor(60, TimeUnit.SECONDS) || process.exitValue() != 0) {
      throw new IOException(String.join(" ", command) + " failed: " + output);
    }
    return output;
  }

  private static int freePortPair() throws IOException {
    for (int attempt = 0; attempt < 50; attempt++) {
      int port;
      try (ServerSocket socket = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
        port = socket.getLocalPort();
      }
      boolean stackRange = port + 1 >= STACK_FIRST_PORT && port <= STACK_LAST_PORT;
      if (!stackRange && port < 65535 && isFree(port + 1)) {
        return port;
      }
    }
    throw new IOException("no free pair of loopback ports found");
  }

  private static boolean isFree(int port) {
    try (ServerSocket socket = new ServerSocket(port, 1, InetAddress.getLoopbackAddress())) {
      return socket.getLocalPort() == port;
    } catch (IOException e) {
      return false;
    }
  }

  private void awaitListening() throws IOException, InterruptedException {
    Instant deadline = Instant.now().plus(Duration.ofSeconds(10));
    while (Instant.now().isBefore(deadline)) {
      if (!process.isAlive()) {
        throw new IOException("swtpm exited with " + process.exitValue() + "; see swtpm.log");
      }
      try (Socket socket = new Socket()) {
        socket.connect(new InetSocketAddress(InetAddress.getLoopbackAddress(), port), 200);
        return;
      } catch (IOException e) {
        Thread.sleep(50);
      }
    }
    throw new IOException("swtpm did not listen on port " + port + " within 10 s");
  }
}
