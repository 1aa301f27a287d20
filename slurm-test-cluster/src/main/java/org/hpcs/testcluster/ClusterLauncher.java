package org.hpcs.testcluster;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

/**
 * Finds the stack's {@code hpcs-cluster} script and brings the stack up, or reuses a stack that is
 * already up (its {@code stack.env} is present and {@code hpcs-cluster status} is healthy).
 *
 * <p>Status and {@code up} run from the checkout that started the stack ({@code HPCS_REPO} in
 * {@code stack.env}, or the checkout named in {@code /run/hpcs-test/repo}), so that the scripts and
 * jars of another checkout never replace those of a running stack. Only when no such checkout
 * exists does the launcher fall back to the checkout around the tests, and it says so. It never
 * stops the stack.
 */
final class ClusterLauncher {

  /** System property that points at the repository root when the working directory does not. */
  static final String REPO_ROOT_PROPERTY = "hpcs.repo.root";

  static final Path SCRIPT = Path.of("slurm-test-cluster", "bin", "hpcs-cluster");

  /** The file in which {@code hpcs-cluster up} names the checkout it runs from. */
  static final Path STACK_REPO_FILE = Path.of("/run/hpcs-test/repo");

  private static final Path STACK_BIN_DIR = Path.of("/var/lib/hpcs-test/bin");
  private static final Duration STATUS_TIMEOUT = Duration.ofMinutes(2);
  private static final Duration UP_TIMEOUT = Duration.ofMinutes(15);
  // A test may stop and start a node agent; the stack is taken as down only when it stays so.
  private static final Duration UNHEALTHY_GRACE = Duration.ofSeconds(20);
  private static final int LOG_LINES_IN_ERRORS = 25;

  private final Path repoRoot;
  private final Path envFile;
  private final Path stackRepoFile;

  ClusterLauncher(Path repoRoot, Path envFile, Path stackRepoFile) {
    this.repoRoot = repoRoot;
    this.envFile = envFile;
    this.stackRepoFile = stackRepoFile;
  }

  /** Creates a launcher for the checkout around the working directory and the default files. */
  static ClusterLauncher forThisCheckout() {
    Path start =
        Optional.ofNullable(System.getProperty(REPO_ROOT_PROPERTY))
            .map(Path::of)
            .orElseGet(() -> Path.of("").toAbsolutePath());
    return new ClusterLauncher(findRepoRoot(start), StackEnv.DEFAULT_PATH, STACK_REPO_FILE);
  }

  /**
   * Walks up from a directory to the first one that contains {@code
   * slurm-test-cluster/bin/hpcs-cluster}.
   *
   * @throws TestClusterException if no parent contains it
   */
  static Path findRepoRoot(Path start) {
    for (Path dir = start.toAbsolutePath(); dir != null; dir = dir.getParent()) {
      if (Files.isRegularFile(dir.resolve(SCRIPT))) {
        return dir;
      }
    }
    throw new TestClusterException(
        "No "
            + SCRIPT
            + " in "
            + start.toAbsolutePath()
            + " or its parents; run the tests from the repository or set -D"
            + REPO_ROOT_PROPERTY
            + "=<repository root>");
  }

  /** Returns the running stack, starting it first when it is not up. */
  TestCluster startOrReuse() {
    if (!healthy() && !becomesHealthy()) {
      up(stackRepo().orElse(repoRoot));
    }
    return new TestCluster(StackEnv.load(envFile));
  }

  boolean healthy() {
    return Files.isRegularFile(envFile)
        && Commands.run(STATUS_TIMEOUT, List.of(script(stackRepo().orElse(repoRoot)), "status"))
            .succeeded();
  }

  private boolean becomesHealthy() {
    if (!Files.isRegularFile(envFile)) {
      return false;
    }
    long deadline = System.nanoTime() + UNHEALTHY_GRACE.toNanos();
    while (System.nanoTime() < deadline) {
      try {
        Thread.sleep(2000);
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        return false;
      }
      if (healthy()) {
        return true;
      }
    }
    return false;
  }

  /**
   * Returns the checkout that started the stack: {@code HPCS_REPO} of the environment file, else
   * the one that {@code up} last named, when it still holds the script.
   */
  Optional<Path> stackRepo() {
    Optional<String> named = Optional.empty();
    if (Files.isRegularFile(envFile)) {
      named = StackEnv.load(envFile).find("HPCS_REPO");
    }
    if (named.isEmpty() && Files.isRegularFile(stackRepoFile)) {
      try {
        named = Optional.of(Files.readString(stackRepoFile, StandardCharsets.UTF_8).strip());
      } catch (IOException e) {
        named = Optional.empty();
      }
    }
    return named
        .filter(text -> !text.isEmpty())
        .map(Path::of)
        .filter(dir -> Files.isRegularFile(dir.resolve(SCRIPT)));
  }

  /**
   * Lists what a checkout lacks to run {@code hpcs-cluster up}: the SPIRE and OpenBao binaries
   * (from install-deps, unless an earlier stack left them in its state directory) and the packaged
   * server and node agent (from {@code make build}).
   */
  static List<String> missingBuildOutputs(Path repo, Path stackBinDir) {
    List<String> missing = new ArrayList<>();
    if (!Files.isExecutable(repo.resolve("build/spire/bin/spire-server"))
        && !Files.isExecutable(stackBinDir.resolve("spire-server"))) {
      missing.add("build/spire/bin (run slurm-test-cluster/bin/install-deps)");
    }
    if (!Files.exists(repo.resolve("build/bin/bao"))
        && !Files.isExecutable(stackBinDir.resolve("bao"))) {
      missing.add("build/bin/bao (run slurm-test-cluster/bin/install-deps)");
    }
    if (!hasFile(repo.resolve("server/target"), "hpcs-server-*.jar")) {
      missing.add("server/target/hpcs-server-*.jar (run make build)");
    }
    if (!Files.isRegularFile(repo.resolve("node-agent/target/hpcs-node-agent.jar"))) {
      missing.add("node-agent/target/hpcs-node-agent.jar (run make build)");
    }
    return missing;
  }

  private static boolean hasFile(Path dir, String glob) {
    if (!Files.isDirectory(dir)) {
      return false;
    }
    try (DirectoryStream<Path> files = Files.newDirectoryStream(dir, glob)) {
      return files.iterator().hasNext();
    } catch (IOException e) {
      return false;
    }
  }

  private void up(Path repo) {
    String whose =
        repo.equals(repoRoot)
            ? "the checkout of these tests, because no running stack names its own checkout"
            : "the checkout that started the stack";
    List<String> missing = missingBuildOutputs(repo, STACK_BIN_DIR);
    if (!missing.isEmpty()) {
      throw new TestClusterException(
          "The test stack is not up, and "
              + repo
              + " ("
              + whose
              + ") lacks what 'hpcs-cluster up' needs: "
              + String.join(", ", missing)
              + "; build it there, or start the stack yourself with "
              + script(repo)
              + " up");
    }
    System.err.println(
        "TestClusterExtension: the test stack is not up; running "
            + script(repo)
            + " up from "
            + whose);
    Path log = repoRoot.resolve("build").resolve("hpcs-cluster-up.log");
    try {
      Files.createDirectories(log.getParent());
    } catch (IOException e) {
      throw new TestClusterException("Cannot create " + log.getParent() + " for the stack log", e);
    }
    List<String> command =
        List.of("bash", "-c", "exec \"$0\" up >\"$1\" 2>&1", script(repo), log.toString());
    CommandResult result = Commands.run(UP_TIMEOUT, command);
    if (!result.succeeded()) {
      throw new TestClusterException(
          script(repo)
              + " up failed with status "
              + result.exitCode()
              + "; last lines of "
              + log
              + ":\n"
              + tail(log));
    }
  }

  private static String script(Path repo) {
    return repo.resolve(SCRIPT).toString();
  }

  private static String tail(Path log) {
    try {
      List<String> lines = Files.readAllLines(log, StandardCharsets.UTF_8);
      return String.join(
          "\n", lines.subList(Math.max(0, lines.size() - LOG_LINES_IN_ERRORS), lines.size()));
    } catch (IOException e) {
      return "(cannot read " + log + ": " + e.getMessage() + ")";
    }
  }
}
