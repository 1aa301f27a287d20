package org.hpcs.agent.secure;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.channels.WritableByteChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.nio.file.attribute.PosixFilePermissions;
import java.security.SecureRandom;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.function.ToDoubleFunction;
import java.util.stream.Stream;
import org.hpcs.agent.job.StepLaunch;
import org.hpcs.agent.mount.FileOwner;
import org.hpcs.agent.mount.FusePreflight;
import org.hpcs.agent.mount.FuseTools;
import org.hpcs.agent.mount.GocryptfsMount;
import org.hpcs.agent.mount.JobWorkspace;
import org.hpcs.agent.mount.PlaintextFile;
import org.hpcs.agent.protocol.Request;
import org.hpcs.agent.report.JobEvent;
import org.hpcs.agent.userio.UserIdentity;
import org.hpcs.common.bundle.BundleKind;
import org.hpcs.common.bundle.ContentDigest;
import org.hpcs.common.crypto.AgeDecryptor;
import org.hpcs.common.crypto.AgeEncryptor;
import org.hpcs.common.crypto.AgeIdentity;
import org.hpcs.common.crypto.Sha256;
import org.hpcs.testcluster.StackEnv;
import org.hpcs.testcluster.TestCluster;

/**
 * Measures a secured step on node n1 of the test stack (run by bench/secure-step-bench): the
 * start-up cost over the same step run plainly, split into its stages, and the throughput of
 * decryption into a gocryptfs mount against dd writing the same plaintext into the same mount.
 * Writes a Markdown section for docs/benchmarks.md.
 *
 * <p>Arguments: the output file, start-up runs (default 5), plaintext MiB for the throughput
 * (default 512), throughput rounds (default 3).
 */
public final class SecureStepBench {
  private static final Map<Path, CheckedHead> HEADS = new java.util.HashMap<>();

  private static final SecureRandom RANDOM = new SecureRandom();
  private static final String USER = "alice";
  private static final Path REPO = Path.of("").toAbsolutePath();
  private static final Path DEMO_SIF = REPO.resolve("build/demo/jp2a.sif");
  private static final Path DEMO_PNG = REPO.resolve("build/demo/astro-logo.png");
  private static final List<String> STAGES =
      List.of(
          "bundles-verified",
          "key-release",
          "keys-read",
          "mounted",
          "decrypted",
          "container-ready");

  private SecureStepBench() {}

  /** Runs the benchmark; see the class comment for the arguments. */
  public static void main(String[] args) throws Exception {
    Path output = Path.of(args[0]);
    int runs = args.length > 1 ? Integer.parseInt(args[1]) : 5;
    int sizeMiB = args.length > 2 ? Integer.parseInt(args[2]) : 512;
    int rounds = args.length > 3 ? Integer.parseInt(args[3]) : 3;
    SecureStack stack = SecureStack.open(new TestCluster(StackEnv.load(StackEnv.DEFAULT_PATH)));
    try {
      String load = loadAverage();
      List<Map<String, Double>> startups = new ArrayList<>();
      for (int i = 0; i < runs; i++) {
        startups.add(startup(stack));
      }
      Map<String, List<Double>> throughput = throughput(stack, sizeMiB, rounds);
      Files.writeString(output, report(runs, sizeMiB, rounds, load, startups, throughput));
    } finally {
      stack.shutDown();
    }
  }

  /** One secured step against the same plain step; returns milliseconds per part. */
  private static Map<String, Double> startup(SecureStack stack) throws Exception {
    int[] ids = stack.ids(USER);
    Path dir = stack.userDirectory(USER, "hpcs-bench-" + Long.toHexString(RANDOM.nextLong()));
    BundleFixture fixture =
        new BundleFixture(dir, stack.ownerKey, SecureStack.OWNER, stack.cluster.baoKvMount());
    BundleFixture.Bundle image =
        fixture.create("jp2a", BundleKind.CONTAINER, Files.readAllBytes(DEMO_SIF));
    BundleFixture.Bundle data =
        fixture.create(
            "input",
            BundleKind.DATA,
            BundleFixture.tar(Map.of("astro-logo.png", Files.readAllBytes(DEMO_PNG))));
    for (BundleFixture.Bundle bundle : List.of(image, data)) {
      stack.depositKey(bundle.manifest().bundleId(), bundle.identity());
      stack.register(bundle.manifestFile());
      stack.grant(bundle.manifest().bundleId(), USER, null);
    }
    fixture.jobManifest(image, data);
    Files.copy(DEMO_PNG, dir.resolve("astro-logo.png"));
    stack.chownTree(dir, USER);
    long job = stack.submitRunning(USER, dir);
    try {
      double plain =
          millis(() -> runAs(ids, List.of("/usr/bin/jp2a", "--width=60", dir + "/astro-logo.png")));
      Instant attach = Instant.now();
      long jwtBefore = stack.jwtNanos.size();
      long t0 = System.nanoTime();
      StepLaunch launch =
          stack.registry.attachStep(
              SecureStack.stepStart(
                  job, 0, ids[0], ids[1], fixture.jobManifestPath(), Optional.empty()));
      double prepare = (System.nanoTime() - t0) / 1e6;
      List<String> argv = new ArrayList<>(prefix(launch.launchFile()));
      argv.addAll(List.of("/usr/bin/jp2a", "--width=60", "/hpcs/input/astro-logo.png"));
      double secured = millis(() -> runAs(ids, argv));
      Map<String, Double> parts = stages(stack.events, job, attach);
      parts.put("svid", stack.jwtNanos.get((int) jwtBefore) / 1e6);
      parts.put("prepare", prepare);
      parts.put("plain", plain);
      parts.put("secured-run", secured);
      derive(parts);
      stack.registry.detachStep(new Request.StepEnd(job, 0, SecureStack.NODE));
      stack.registry.endJob(new Request.JobEnd(job, SecureStack.NODE));
      return parts;
    } finally {
      stack.cancelJobs();
      stack.runAs("root", "rm", "-rf", dir.toString());
    }
  }

  /** Adds the parts computed from others, per run, so that their medians are medians of runs. */
  private static void derive(Map<String, Double> parts) {
    double stages = STAGES.stream().mapToDouble(parts::get).sum();
    parts.put("vault", parts.get("keys-read") - parts.get("svid"));
    parts.put("launch", parts.get("prepare") - stages);
    parts.put("container", parts.get("secured-run") - parts.get("plain"));
    parts.put("overhead", parts.get("prepare") - parts.get("decrypted") + parts.get("container"));
  }

  /** Milliseconds between consecutive stage events, the attach call as the start. */
  private static Map<String, Double> stages(List<JobEvent> events, long job, Instant attach) {
    Map<String, Instant> at = new LinkedHashMap<>();
    for (JobEvent event : events) {
      if (event.jobId() == job && STAGES.contains(event.event())) {
        at.putIfAbsent(event.event(), event.time());
      }
    }
    Map<String, Double> parts = new LinkedHashMap<>();
    Instant previous = attach;
    for (String stage : STAGES) {
      Instant now = at.get(stage);
      parts.put(stage, Duration.between(previous, now).toNanos() / 1e6);
      previous = now;
    }
    return parts;
  }

  /** Decryption into a gocryptfs mount, tar extraction into it, and dd into it, in MB/s. */
  private static Map<String, List<Double>> throughput(SecureStack stack, int sizeMiB, int rounds)
      throws Exception {
    int[] ids = stack.ids(USER);
    Path dir =
        Files.createTempDirectory(
            Path.of("/var/tmp"),
            "hpcs-bench-",
            PosixFilePermissions.asFileAttribute(PosixFilePermissions.fromString("rwx------")));
    FuseTools tools = new FusePreflight(FusePreflight.Host.current()).check();
    JobWorkspace workspace =
        JobWorkspace.create(stack.layout, tools, "bench", new FileOwner(ids[0], ids[1]));
    Map<String, List<Double>> results = new LinkedHashMap<>();
    try {
      GocryptfsMount mount = workspace.mountEncrypted("bench");
      long bytes = (long) sizeMiB << 20;
      Path plain = randomFile(dir.resolve("plain.bin"), bytes);
      BundleFixture fixture = new BundleFixture(Files.createDirectory(dir.resolve("bundles")));
      BundleFixture.Bundle image = encrypt(fixture, "image", BundleKind.CONTAINER, plain);
      Path tar = dir.resolve("plain.tar");
      try (var out = Files.newOutputStream(tar)) {
        org.hpcs.common.tar.TarWriter.write(plain, out);
      }
      BundleFixture.Bundle data = encrypt(fixture, "data", BundleKind.DATA, tar);
      UserIdentity owner = new UserIdentity(USER, ids[0], ids[1], List.of(ids[1]));
      head(image);
      head(data);
      for (int round = 0; round < rounds; round++) {
        add(results, "age to /dev/null", bytes, () -> decryptToNull(image));
        add(results, "decrypt into gocryptfs", bytes, () -> decryptInto(image, mount));
        add(results, "extract tar into gocryptfs", bytes, () -> extractInto(data, mount, owner));
        add(results, "dd into gocryptfs", bytes, () -> dd(plain, mount));
      }
    } finally {
      workspace.teardown();
      try (Stream<Path> paths = Files.walk(dir)) {
        for (Path path : paths.sorted((a, b) -> b.getNameCount() - a.getNameCount()).toList()) {
          Files.delete(path);
        }
      }
    }
    return results;
  }

  private static BundleFixture.Bundle encrypt(
      BundleFixture fixture, String name, BundleKind kind, Path plain) throws Exception {
    AgeIdentity identity = AgeIdentity.generate();
    Path age = fixture.dir.resolve(name + ".age");
    try (FileChannel in = FileChannel.open(plain, StandardOpenOption.READ);
        FileChannel out =
            FileChannel.open(age, StandardOpenOption.CREATE_NEW, StandardOpenOption.WRITE)) {
      AgeEncryptor.encrypt(in, out, List.of(identity.recipient()), false, n -> {});
    }
    Sha256.Result digest = Sha256.ofFile(plain);
    return fixture.sign(name, kind, identity, age, new ContentDigest(digest.hex(), digest.size()));
  }

  private static OpenedBundle open(BundleFixture.Bundle bundle) throws IOException {
    return new OpenedBundle(
        bundle.manifestFile(),
        Sha256.ofFile(bundle.manifestFile()).hex(),
        bundle.manifest(),
        bundle.ageFile(),
        FileChannel.open(bundle.ageFile(), StandardOpenOption.READ));
  }

  /**
   * Returns the bundle's checked head. The digest check that finds it runs once, before any timing:
   * it is a separate pass over the ciphertext, counted in the start-up stages.
   */
  private static CheckedHead head(BundleFixture.Bundle bundle) throws Exception {
    CheckedHead head = HEADS.get(bundle.ageFile());
    if (head == null) {
      try (OpenedBundle opened = open(bundle)) {
        head = BundleChecks.verifyCiphertext(opened, "bench");
      }
      HEADS.put(bundle.ageFile(), head);
    }
    return head;
  }

  private static void decryptToNull(BundleFixture.Bundle bundle) throws Exception {
    try (FileChannel in = FileChannel.open(bundle.ageFile(), StandardOpenOption.READ)) {
      AgeDecryptor.decrypt(in, "bench", new NullChannel(), List.of(bundle.identity()), n -> {});
    }
  }

  private static void decryptInto(BundleFixture.Bundle bundle, GocryptfsMount mount)
      throws Exception {
    Path target;
    try (OpenedBundle opened = open(bundle)) {
      target =
          BundleDecryption.decryptImage(
              opened,
              head(bundle),
              List.of(bundle.identity()),
              name -> PlaintextFile.create(mount.mountPoint().resolve(name)),
              "bench");
    }
    Files.delete(target);
  }

  private static void extractInto(
      BundleFixture.Bundle bundle, GocryptfsMount mount, UserIdentity owner) throws Exception {
    Path target = mount.mountPoint().resolve("extract");
    try (OpenedBundle opened = open(bundle)) {
      BundleDecryption.extractData(
          opened, head(bundle), List.of(bundle.identity()), target, owner, "bench");
    }
    try (Stream<Path> paths = Files.walk(target)) {
      for (Path path : paths.sorted((a, b) -> b.getNameCount() - a.getNameCount()).toList()) {
        Files.delete(path);
      }
    }
  }

  private static void dd(Path plain, GocryptfsMount mount) throws Exception {
    Path target = mount.mountPoint().resolve("dd.bin");
    Process dd =
        new ProcessBuilder("dd", "if=" + plain, "of=" + target, "bs=1M", "status=none")
            .inheritIO()
            .start();
    if (dd.waitFor() != 0) {
      throw new IOException("dd into " + target + " failed");
    }
    Files.delete(target);
  }

  private static Path randomFile(Path file, long bytes) throws IOException {
    byte[] block = new byte[1 << 20];
    try (FileChannel out =
        FileChannel.open(file, StandardOpenOption.CREATE_NEW, StandardOpenOption.WRITE)) {
      for (long written = 0; written < bytes; written += block.length) {
        RANDOM.nextBytes(block);
        out.write(ByteBuffer.wrap(block));
      }
    }
    return file;
  }

  @FunctionalInterface
  private interface Work {
    void run() throws Exception;
  }

  private static void add(Map<String, List<Double>> results, String name, long bytes, Work work)
      throws Exception {
    double seconds = millis(work) / 1000;
    results.computeIfAbsent(name, k -> new ArrayList<>()).add(bytes / 1e6 / seconds);
  }

  private static double millis(Work work) throws Exception {
    long start = System.nanoTime();
    work.run();
    return (System.nanoTime() - start) / 1e6;
  }

  private static void runAs(int[] ids, List<String> argv) throws Exception {
    List<String> command =
        new ArrayList<>(
            List.of(
                "setpriv",
                "--reuid=" + ids[0],
                "--regid=" + ids[1],
                "--init-groups",
                "env",
                "-i",
                "PATH=/usr/sbin:/usr/bin:/sbin:/bin"));
    command.addAll(argv);
    Process process =
        new ProcessBuilder(command)
            .redirectOutput(ProcessBuilder.Redirect.DISCARD)
            .redirectError(ProcessBuilder.Redirect.INHERIT)
            .start();
    if (process.waitFor() != 0) {
      throw new IOException(command + " failed");
    }
  }

  private static List<String> prefix(Path launchFile) throws IOException {
    byte[] bytes = Files.readAllBytes(launchFile);
    List<String> elements = new ArrayList<>();
    int start = 0;
    for (int i = 0; i < bytes.length; i++) {
      if (bytes[i] == 0) {
        elements.add(new String(bytes, start, i - start, java.nio.charset.StandardCharsets.UTF_8));
        start = i + 1;
      }
    }
    return elements.subList(2, elements.size());
  }

  private static String loadAverage() throws IOException {
    return Files.readString(Path.of("/proc/loadavg")).split(" ", -1)[0];
  }

  private static double median(List<Double> values) {
    List<Double> sorted = values.stream().sorted().toList();
    int n = sorted.size();
    return n % 2 == 1 ? sorted.get(n / 2) : (sorted.get(n / 2 - 1) + sorted.get(n / 2)) / 2;
  }

  private static double medianOf(List<Map<String, Double>> runs, String key) {
    return median(runs.stream().map(r -> r.get(key)).toList());
  }

  private static String report(
      int runs,
      int sizeMiB,
      int rounds,
      String load,
      List<Map<String, Double>> startups,
      Map<String, List<Double>> throughput)
      throws IOException {
    StringBuilder out = new StringBuilder();
    String when =
        DateTimeFormatter.ofPattern("yyyy-MM-dd'T'HH:mm'Z'")
            .withZone(ZoneOffset.UTC)
            .format(Instant.now());
    out.append("\n### Secured step run ").append(when).append("\n\n");
    out.append("Machine: ")
        .append(Runtime.getRuntime().availableProcessors())
        .append(" CPUs (nproc), load average ")
        .append(load)
        .append(" at the start; node n1 of the test stack, bwrap runtime, demo image (")
        .append(Files.size(DEMO_SIF) >> 20)
        .append(" MiB SIF), ")
        .append(runs)
        .append(
            " start-up runs, medians in ms (each row is the median of its own runs, so the rows"
                + " need not add up to the total).\n\n");
    ToDoubleFunction<String> m = key -> medianOf(startups, key);
    out.append("| part | ms |\n|---|---|\n");
    row(
        out,
        "job facts, open bundles as the user, signatures, ciphertext SHA-256",
        m.applyAsDouble("bundles-verified"));
    row(out, "key release at the server (FUSE preflight included)", m.applyAsDouble("key-release"));
    row(out, "JWT-SVID from the SPIRE agent", m.applyAsDouble("svid"));
    row(out, "Vault: login, read 2 keys, revoke", m.applyAsDouble("vault"));
    row(out, "3 gocryptfs mounts (init + mount)", m.applyAsDouble("mounted"));
    row(
        out,
        "runtime: image SHA-256 and SIF check, squashfuse mount",
        m.applyAsDouble("container-ready"));
    row(out, "launch file and reply", m.applyAsDouble("launch"));
    row(out, "container start (secured run - plain run)", m.applyAsDouble("container"));
    row(out, "**start-up overhead** (median of the runs' sums)", m.applyAsDouble("overhead"));
    row(out, "bulk decryption, excluded (image + dataset)", m.applyAsDouble("decrypted"));
    row(out, "plain step (jp2a on the host)", m.applyAsDouble("plain"));
    row(out, "secured step run (jp2a in bwrap)", m.applyAsDouble("secured-run"));
    out.append("\nThroughput: ")
        .append(sizeMiB)
        .append(" MiB of random plaintext, ")
        .append(rounds)
        .append(
            " interleaved rounds, source files in the page cache, medians in MB/s (10^6"
                + " bytes/s of plaintext).\n\n");
    out.append("| writer | MB/s | vs dd |\n|---|---|---|\n");
    double dd = median(throughput.get("dd into gocryptfs"));
    for (Map.Entry<String, List<Double>> entry : throughput.entrySet()) {
      double value = median(entry.getValue());
      out.append("| ")
          .append(entry.getKey())
          .append(" | ")
          .append(String.format("%.0f", value))
          .append(" | ")
          .append(String.format("%.2fx", value / dd))
          .append(" |\n");
    }
    out.append("\nRounds (MB/s): ");
    List<String> rows = new ArrayList<>();
    throughput.forEach(
        (k, v) ->
            rows.add(
                k
                    + ": "
                    + String.join(", ", v.stream().map(x -> String.format("%.0f", x)).toList())));
    out.append(String.join("; ", rows)).append(".\n");
    return out.toString();
  }

  private static void row(StringBuilder out, String part, double millis) {
    out.append("| ")
        .append(part)
        .append(" | ")
        .append(String.format("%.0f", millis))
        .append(" |\n");
  }

  /** Discards what is written. */
  private static final class NullChannel implements WritableByteChannel {
    @Override
    public int write(ByteBuffer source) {
      int n = source.remaining();
      source.position(source.limit());
      return n;
    }

    @Override
    public boolean isOpen() {
      return true;
    }

    @Override
    public void close() {}
  }
}
