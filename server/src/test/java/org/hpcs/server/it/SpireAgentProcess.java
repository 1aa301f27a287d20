package org.hpcs.server.it;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Duration;

/**
 * A SPIRE agent that the test starts with a join token the HPCS server issued, as a node agent
 * would, on its own socket and data directory.
 */
final class SpireAgentProcess implements AutoCloseable {
  private final Process process;
  private final Path socket;

  private SpireAgentProcess(Process process, Path socket) {
    this.process = process;
    this.socket = socket;
  }

  static SpireAgentProcess start(StackAccess stack, Path dir, String joinToken)
      throws IOException, InterruptedException {
    Path bundle = dir.resolve("bundle.pem");
    Process show =
        new ProcessBuilder(
                stack.spireServerBin().toString(),
                "bundle",
                "show",
                "-socketPath",
                stack.env("SPIRE_SERVER_SOCKET"),
                "-format",
                "pem")
            .redirectOutput(bundle.toFile())
            .start();
    if (show.waitFor() != 0) {
      throw new IOException("spire-server bundle show failed");
    }
    Path tokenFile = dir.resolve("join-token");
    Files.writeString(tokenFile, joinToken);
    Files.setPosixFilePermissions(tokenFile, PosixFilePermissions.fromString("rw-------"));
    Path socket = dir.resolve("agent.sock");
    String[] server = stack.env("SPIRE_SERVER_ADDR").split(":", 2);
    String config =
        """
        agent {
          data_dir = "%s"
          log_level = "WARN"
          server_address = "%s"
          server_port = "%s"
          socket_path = "%s"
          trust_bundle_path = "%s"
          trust_domain = "%s"
          join_token_file = "%s"
        }
        plugins {
          NodeAttestor "join_token" {
            plugin_data {}
          }
          KeyManager "memory" {
            plugin_data {}
          }
          WorkloadAttestor "unix" {
            plugin_data {}
          }
        }
        """
            .formatted(
                dir.resolve("data"),
                server[0],
                server[1],
                socket,
                bundle,
                stack.env("HPCS_TRUST_DOMAIN"),
                tokenFile);
    Path configFile = dir.resolve("agent.conf");
    Files.writeString(configFile, config);
    Files.setPosixFilePermissions(configFile, PosixFilePermissions.fromString("rw-------"));
    Path agent = Path.of(stack.env("SPIRE_BIN_DIR"), "spire-agent");
    Process process =
        new ProcessBuilder(agent.toString(), "run", "-config", configFile.toString())
            .redirectErrorStream(true)
            .redirectOutput(dir.resolve("agent.log").toFile())
            .start();
    SpireAgentProcess started = new SpireAgentProcess(process, socket);
    long deadline = System.nanoTime() + Duration.ofSeconds(60).toNanos();
    while (!Files.exists(socket)) {
      if (!process.isAlive() || System.nanoTime() > deadline) {
        started.close();
        throw new IOException(
            "spire-agent did not open "
                + socket
                + "; log: "
                + Files.readString(dir.resolve("agent.log")));
      }
      Thread.sleep(200);
    }
    return started;
  }

  String socketAddress() {
    return "unix:" + socket;
  }

  @Override
  public void close() {
    process.destroy();
    try {
      if (!process.waitFor(10, java.util.concurrent.TimeUnit.SECONDS)) {
        process.destroyForcibly();
      }
    } catch (InterruptedException e) {
      process.destroyForcibly();
      Thread.currentThread().interrupt();
    }
  }
}
