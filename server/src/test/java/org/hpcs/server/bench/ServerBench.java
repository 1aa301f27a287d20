package org.hpcs.server.bench;

import java.io.IOException;
import java.net.http.HttpClient;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.atomic.AtomicInteger;
import org.HdrHistogram.ConcurrentHistogram;
import org.HdrHistogram.Histogram;
import org.hpcs.server.ServerApp;
import org.hpcs.server.config.ConfigLoader;
import org.hpcs.server.config.ServerConfig;
import org.hpcs.server.testing.FakeSpire;
import org.hpcs.server.testing.FakeVault;
import org.hpcs.server.testing.TestDatabases;
import org.hpcs.server.testing.TestPki;
import org.hpcs.server.testing.TestServer;
import org.hpcs.server.vault.VaultClient;

/**
 * Runs N concurrent job start/end pairs against a server on loopback and prints p50/p99 latency and
 * the error count as a Markdown table row.
 *
 * <p>Usage: {@code ServerBench <pairs> <sqlite|postgresql> <bao|fake-vault> <work dir>}. With
 * {@code bao} the server writes real policies and roles to the test stack's OpenBao with the stack
 * admin's token. SPIRE is replaced by a test CA in both modes: node agents present test
 * certificates, which is all job start and end need.
 */
public final class ServerBench {
  private ServerBench() {}

  /** Runs the benchmark. */
  public static void main(String[] args) throws Exception {
    int pairs = Integer.parseInt(args[0]);
    TestDatabases.Kind kind = TestDatabases.Kind.valueOf(args[1].toUpperCase(Locale.ROOT));
    boolean bao = args[2].equals("bao");
    Path dir = Files.createDirectories(Path.of(args[3]));
    TestPki pki = TestPki.create(Files.createTempDirectory(dir, "pki-"));

    FakeVault fakeVault = bao ? null : new FakeVault();
    if (fakeVault != null) {
      fakeVault.addToken(TestServer.ADMIN, "admin", "hpcs-admin");
    }
    String vaultAddr;
    String serverToken;
    if (bao) {
      Map<String, String> env = TestDatabases.stackEnv();
      vaultAddr = env.get("BAO_ADDR");
      serverToken = login(env, env.getOrDefault("BAO_ADMIN_USER", "admin"));
    } else {
      vaultAddr = fakeVault.address().toString();
      serverToken = FakeVault.SERVER_TOKEN;
    }
    try (ServerApp app = start(dir, pki, kind, vaultAddr, serverToken)) {
      BenchClient client = new BenchClient(app.port(), pki, bao ? serverToken : TestServer.ADMIN);
      String digest = client.prepare();
      // A first, unmeasured round warms the JIT and opens the TLS connections.
      run(client, digest, Math.max(1, pairs / 5));
      Result result = run(client, digest, pairs);
      System.out.println(result.row(kind, bao, pairs));
    } finally {
      if (fakeVault != null) {
        fakeVault.close();
      }
    }
  }

  private record Result(
      Histogram start, Histogram end, int errors, Duration wall, String loadAverage) {
    String row(TestDatabases.Kind kind, boolean bao, int pairs) {
      return String.format(
          Locale.ROOT,
          "| %s | %s | %s | %d | %.1f | %.1f | %.1f | %.1f | %d | %.1f | %s |",
          Instant.now().toString().substring(0, 16) + "Z",
          kind.name().toLowerCase(Locale.ROOT),
          bao ? "OpenBao (real)" : "fake Vault (test mode)",
          pairs,
          start.getValueAtPercentile(50) / 1000.0,
          start.getValueAtPercentile(99) / 1000.0,
          end.getValueAtPercentile(50) / 1000.0,
          end.getValueAtPercentile(99) / 1000.0,
          errors,
          wall.toMillis() / 1000.0,
          loadAverage);
    }
  }

  private static Result run(BenchClient client, String digest, int pairs) throws Exception {
    int failuresBefore = client.failures();
    String load = Files.readString(Path.of("/proc/loadavg")).split(" ", -1)[0];
    ConcurrentHistogram start = new ConcurrentHistogram(3);
    ConcurrentHistogram end = new ConcurrentHistogram(3);
    AtomicInteger errors = new AtomicInteger();
    CountDownLatch go = new CountDownLatch(1);
    String prefix = "bench" + Long.toHexString(System.nanoTime());
    List<Future<?>> tasks = new ArrayList<>();
    long began;
    try (ExecutorService threads = Executors.newVirtualThreadPerTaskExecutor()) {
      for (int i = 0; i < pairs; i++) {
        String jobId = prefix + "-" + i;
        String node = "n" + (1 + i % 3);
        tasks.add(
            threads.submit(
                () -> {
                  go.await();
                  if (!client.timed(start, () -> client.start(jobId, node, digest))
                      || !client.timed(end, () -> client.end(jobId, node))) {
                    errors.incrementAndGet();
                  }
                  return null;
                }));
      }
      began = System.nanoTime();
      go.countDown();
      for (Future<?> task : tasks) {
        task.get();
      }
    }
    return new Result(
        start,
        end,
        errors.get() + client.failures() - failuresBefore,
        Duration.ofNanos(System.nanoTime() - began),
        load);
  }

  private static ServerApp start(
      Path dir, TestPki pki, TestDatabases.Kind kind, String vaultAddr, String serverToken)
      throws Exception {
    Path token = dir.resolve("vault-token-" + System.nanoTime());
    Files.writeString(token, serverToken);
    Files.setPosixFilePermissions(token, PosixFilePermissions.fromString("rw-------"));
    TestDatabases.Settings database = TestDatabases.fresh(kind, dir);
    Map<String, String> values = new HashMap<>();
    values.put("listen.port", "0");
    values.put("slurm.verifyJobs", "false");
    values.put("tls.certFile", pki.file("server.crt").toString());
    values.put("tls.keyFile", pki.file("server.key").toString());
    values.put("trustDomain", "hpcs.test");
    values.put("db.url", database.url());
    values.put("vault.addr", vaultAddr);
    values.put("vault.tokenFile", token.toString());
    values.put("spire.socketPath", dir.resolve("unused.sock").toString());
    ServerConfig config = ConfigLoader.parse("bench", values);
    VaultClient vault =
        new VaultClient(config.vaultAddr(), HttpClient.newHttpClient(), () -> serverToken);
    return ServerApp.start(
        config, database.open(), new FakeSpire(pki.spiffeBundlePem()), vault, Clock.systemUTC());
  }

  private static String login(Map<String, String> env, String user)
      throws IOException, InterruptedException {
    Path file =
        Path.of(env.getOrDefault("BAO_PASSWORD_DIR", "/var/lib/hpcs-test/bao"), user + ".password");
    String password = Files.readString(file, StandardCharsets.UTF_8).strip();
    return BenchClient.userpassLogin(
        env.get("BAO_ADDR"), env.get("BAO_USERPASS_MOUNT"), user, password);
  }
}
