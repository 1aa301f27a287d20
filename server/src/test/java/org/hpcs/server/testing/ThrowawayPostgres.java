package org.hpcs.server.testing;

import java.io.IOException;
import java.io.InputStream;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.UserPrincipal;
import java.util.ArrayList;
import java.util.List;

/**
 * A private PostgreSQL cluster from Debian's binaries, started by a test on a free loopback port
 * with trust authentication, and stopped at JVM exit. Used when the shared test stack is not up.
 */
public final class ThrowawayPostgres {
  private static final Path BIN = Path.of("/usr/lib/postgresql/15/bin");
  private static ThrowawayPostgres instance;

  private final Path dir;
  private final int port;

  private ThrowawayPostgres(Path dir, int port) {
    this.dir = dir;
    this.port = port;
  }

  /** Returns the cluster of this JVM, starting it on first use. */
  public static synchronized ThrowawayPostgres get() throws IOException, InterruptedException {
    if (instance == null) {
      instance = start();
      Runtime.getRuntime().addShutdownHook(new Thread(instance::stop));
    }
    return instance;
  }

  /** Returns the JDBC URL of the cluster's {@code postgres} database. */
  public String jdbcUrl() {
    return "jdbc:postgresql://127.0.0.1:" + port + "/postgres";
  }

  /** Returns the superuser name. */
  public String user() {
    return "hpcs";
  }

  private static ThrowawayPostgres start() throws IOException, InterruptedException {
    Path dir = Files.createTempDirectory("hpcs-pg-");
    UserPrincipal postgres =
        dir.getFileSystem().getUserPrincipalLookupService().lookupPrincipalByName("postgres");
    Files.setOwner(dir, postgres);
    int port;
    try (ServerSocket socket = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
      port = socket.getLocalPort();
    }
    Path data = dir.resolve("data");
    run("initdb", "-D", data.toString(), "-A", "trust", "-U", "hpcs", "--no-sync", "-E", "UTF8");
    run(
        "pg_ctl",
        "-D",
        data.toString(),
        "-l",
        dir.resolve("server.log").toString(),
        "-w",
        "-o",
        "-p "
            + port
            + " -k "
            + dir
            + " -c listen_addresses=127.0.0.1 -c fsync=off"
            + " -c max_connections=200",
        "start");
    return new ThrowawayPostgres(dir, port);
  }

  private void stop() {
    try {
      run("pg_ctl", "-D", dir.resolve("data").toString(), "-m", "immediate", "-w", "stop");
      try (var paths = Files.walk(dir)) {
        paths.sorted(java.util.Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
      }
    } catch (IOException | InterruptedException e) {
      System.err.println("cannot stop the test PostgreSQL cluster in " + dir + ": " + e);
    }
  }

  private static void run(String tool, String... args) throws IOException, InterruptedException {
    List<String> command = new ArrayList<>(List.of("runuser", "-u", "postgres", "--"));
    command.add(BIN.resolve(tool).toString());
    command.addAll(List.of(args));
    Process process = new ProcessBuilder(command).redirectErrorStream(true).start();
    String output;
    try (InputStream in = process.getInputStream()) {
      output = new String(in.readAllBytes(), StandardCharsets.UTF_8);
    }
    if (process.waitFor() != 0) {
      throw new IOException(tool + " failed: " + output);
    }
  }
}
