package org.hpcs.attest.tpmdevid;

import java.io.IOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * A software TPM for tests: manufactured with swtpm_setup (EK certificate from a private
 * swtpm-localca under {@code dir}) and served on a free loopback port outside the test stack's
 * range (2321 to 2342). {@link #stop()} stops the process by its PID.
 */
final class Swtpm {
  private static final int STACK_FIRST_PORT = 2321;
  private static final int STACK_LAST_PORT = 2343;

  private final Path dir;
  private final int port;
  private final Process process;

  private Swtpm(Path dir, int port, Process process) {
    this.dir = dir;
    this.port = port;
    this.process = process;
  }

  static Swtpm start(Path dir) throws IOException, InterruptedException {
    Path state = Files.createDirectories(dir.resolve("state"));
    Path ca = Files.createDirectories(dir.resolve("localca"));
    manufacture(dir, state, ca);
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
    Swtpm swtpm = new Swtpm(dir, port, process);
    swtpm.awaitListening();
    return swtpm;
  }

  String tcti() {
    return "swtpm:host=127.0.0.1,port=" + port;
  }

  int port() {
    return port;
  }

  /** The swtpm-localca root certificate that signed the EK certificate's issuer. */
  Path manufacturerRoot() {
    return dir.resolve("localca/swtpm-localca-rootca-cert.pem");
  }

  /** The swtpm-localca intermediate certificate that signed the EK certificate. */
  Path manufacturerIntermediate() {
    return dir.resolve("localca/issuercert.pem");
  }

  void stop() throws InterruptedException {
    process.destroy();
    if (!process.waitFor(5, TimeUnit.SECONDS)) {
      process.destroyForcibly();
      process.waitFor(5, TimeUnit.SECONDS);
    }
  }

  private static void manufacture(Path dir, Path state, Path ca)
      throws IOException, InterruptedException {
    Path localcaConf = dir.resolve("swtpm-localca.conf");
    Files.writeString(
        localcaConf,
        "statedir = "
            + ca
            + "\n"
            + "signingkey = "
            + ca.resolve("signkey.pem")
            + "\n"
            + "issuercert = "
            + ca.resolve("issuercert.pem")
            + "\n"
            + "certserial = "
            + ca.resolve("certserial")
            + "\n");
    Path setupConf = dir.resolve("swtpm_setup.conf");
    Files.writeString(
        setupConf,
        "create_certs_tool = /usr/bin/swtpm_localca\n"
            + "create_certs_tool_config = "
            + localcaConf
            + "\n"
            + "create_certs_tool_options = /etc/swtpm-localca.options\n"
            + "active_pcr_banks = sha256\n");
    run(
        dir,
        List.of(
            "swtpm_setup",
            "--tpm2",
            "--tpmstate",
            state.toString(),
            "--create-ek-cert",
            "--lock-nvram",
            "--overwrite",
            "--config",
            setupConf.toString(),
            "--logfile",
            dir.resolve("swtpm_setup.log").toString()));
  }

  private static void run(Path dir, List<String> command) throws IOException, InterruptedException {
    Process process =
        new ProcessBuilder(command)
            .redirectErrorStream(true)
            .redirectOutput(dir.resolve("setup-output.log").toFile())
            .start();
    if (!process.waitFor(60, TimeUnit.SECONDS) || process.exitValue() != 0) {
      process.destroyForcibly();
      throw new IOException(
          String.join(" ", command) + " failed; see " + dir.resolve("swtpm_setup.log"));
    }
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
