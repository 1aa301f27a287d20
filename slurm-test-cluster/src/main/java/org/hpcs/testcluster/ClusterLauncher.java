package org.hpcs.testcluster;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Optional;

/**
 * Finds the repository's {@code hpcs-cluster} script and brings the stack up, or reuses a stack
 * that is already up (its {@code stack.env} is present and {@code hpcs-cluster status} is healthy).
 */
final class ClusterLauncher {

  /** System property that points at the repository root when the working directory does not. */
  static final String REPO_ROOT_PROPERTY = "hpcs.repo.root";

  static final Path SCRIPT = Path.of("slurm-test-cluster", "bin", "hpcs-cluster");

  private static final Duration STATUS_TIMEOUT = Duration.ofMinutes(2);
  private static final Duration UP_TIMEOUT = Duration.ofMinutes(15);
  private static final int LOG_LINES_IN_ERRORS = 25;

  private final Path repoRoot;
  private final Path envFile;

  ClusterLauncher(Path repoRoot, Path envFile) {
    this.repoRoot = repoRoot;
    this.envFile = envFile;
  }

  /** A launcher for the repository around the working directory and the default env file. */
  static ClusterLauncher forThisCheckout() {
    Path start =
        Optional.ofNullable(System.getProperty(REPO_ROOT_PROPERTY))
            .map(Path::of)
            .orElseGet(() -> Path.of("").toAbsolutePath());
    return new ClusterLauncher(findRepoRoot(start), StackEnv.DEFAULT_PATH);
  }

  /**
   * Walks up from a directory to the first one that holds {@code
   * slurm-test-cluster/bin/hpcs-cluster}.
   *
   * @throws TestClusterException if no parent holds it
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
    if (!healthy()) {
      up();
    }
    return new TestCluster(StackEnv.load(envFile));
  }

  boolean healthy() {
    return Files.isRegularFile(envFile)
        && Commands.run(STATUS_TIMEOUT, command("status")).succeeded();
  }

  private void up() {
    Path log = repoRoot.resolve("build").resolve("hpcs-cluster-up.log");
    try {
      Files.createDirectories(log.getParent());
    } catch (IOException e) {
      throw new TestClusterException("Cannot create " + log.getParent() + " for the stack log", e);
    }
    List<String> command =
        List.of("bash", "-c", "exec \"$0\" up >\"$1\" 2>&1", script().toString(), log.toString());
    CommandResult result = Commands.run(UP_TIMEOUT, command);
    if (!result.succeeded()) {
      throw new TestClusterException(
          script()
              + " up failed with status "
              + result.exitCode()
              + "; last lines of "
              + log
              + ":\n"
              + tail(log));
    }
  }

  private List<String> command(String verb) {
    return List.of(script().toString(), verb);
  }

  private Path script() {
    return repoRoot.resolve(SCRIPT);
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
