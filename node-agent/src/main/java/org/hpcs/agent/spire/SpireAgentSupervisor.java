package org.hpcs.agent.spire;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Optional;
import org.hpcs.agent.enrol.Enrolment;
import org.hpcs.agent.enrol.EnrolmentException;
import org.hpcs.agent.enrol.JoinToken;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Starts and restarts the local spire-agent. After a first enrolment the agent restarts from the
 * SVID it saved in its data directory; only when it cannot (it exits, or its socket does not
 * appear) does the supervisor ask the HPCS server for a new join token. It never deletes the
 * agent's data directory, so a rejected token cannot destroy a still-valid SVID.
 *
 * <p>The join token reaches spire-agent through a generated copy of its config (mode 0600, in the
 * node agent's state directory), never on a command line, and the copy is deleted once the agent is
 * up.
 */
public final class SpireAgentSupervisor implements AutoCloseable {
  private static final Logger LOG = LoggerFactory.getLogger(SpireAgentSupervisor.class);
  private static final Duration MAX_RESTART_DELAY = Duration.ofMinutes(5);

  private final Path binary;
  private final SpireAgentConfig config;
  private final Path stateDir;
  private final Enrolment enrolment;
  private final Duration startTimeout;
  private final Duration restartDelay;
  private final Clock clock;
  private volatile ProcessHandle agent;
  private volatile boolean closing;

  /**
   * Creates the supervisor.
   *
   * @param binary the spire-agent binary
   * @param config the parsed spire-agent config
   * @param stateDir the node agent's state directory (pid, log, enrolment marker)
   * @param enrolment obtains join tokens
   * @param startTimeout longest wait for the Workload API socket after a start
   * @param restartDelay wait before restarting an agent that exited
   * @param clock the clock for timeouts
   */
  public SpireAgentSupervisor(
      Path binary,
      SpireAgentConfig config,
      Path stateDir,
      Enrolment enrolment,
      Duration startTimeout,
      Duration restartDelay,
      Clock clock) {
    this.binary = binary;
    this.config = config;
    this.stateDir = stateDir;
    this.enrolment = enrolment;
    this.startTimeout = startTimeout;
    this.restartDelay = restartDelay;
    this.clock = clock;
  }

  /**
   * Makes sure spire-agent runs and serves its Workload API socket, then watches it.
   *
   * @throws SvidException when it cannot be started, even with a new join token
   * @throws EnrolmentException when a new join token was needed and enrolment failed
   */
  public void start() throws SvidException, EnrolmentException {
    if (config.hasJoinToken()) {
      throw new SvidException(
          "spire-agent config "
              + config.file()
              + " sets join_token; remove it, the node agent"
              + " passes a fresh token from the HPCS server when one is needed");
    }
    Optional<ProcessHandle> running = adoptRunning();
    if (running.isPresent()) {
      agent = running.get();
      LOG.info("spire-agent already runs as pid {}; watching it", agent.pid());
      WorkloadSocket.await(config.socketPath(), startTimeout, clock);
    } else {
      launchAndAwait();
    }
    watch();
  }

  /**
   * Starts spire-agent. Without HPCS enrolment (spire-native) it attests on its own. With enrolment
   * it first tries its saved SVID (after a first enrolment), and asks for a new join token only
   * when that fails.
   */
  private void launchAndAwait() throws SvidException, EnrolmentException {
    if (!enrolment.issuesTokens() || Files.exists(enrolledMarker())) {
      Optional<String> failure = launch(Optional.empty());
      if (failure.isEmpty()) {
        return;
      }
      if (!enrolment.issuesTokens()) {
        throw new SvidException(
            "spire-agent did not start: "
                + failure.get()
                + "; with attestation spire-native it"
                + " must attest with SPIRE's own node attestor");
      }
      LOG.warn(
          "spire-agent could not start from its saved SVID ({}); requesting a new join token from"
              + " the HPCS server",
          failure.get());
    }
    JoinToken token =
        enrolment
            .enrol()
            .orElseThrow(() -> new EnrolmentException("the HPCS server issued no join token"));
    Optional<String> failure = launch(Optional.of(token));
    if (failure.isPresent()) {
      throw new SvidException("spire-agent did not start with a new join token: " + failure.get());
    }
    try {
      Files.writeString(enrolledMarker(), token.nodeSpiffeId() + "\n", StandardCharsets.UTF_8);
    } catch (IOException e) {
      LOG.warn("writing {} failed: {}", enrolledMarker(), e.getMessage());
    }
  }

  /** Starts spire-agent and waits for its socket; returns why it failed, or empty on success. */
  private Optional<String> launch(Optional<JoinToken> token) throws SvidException {
    Path configFile = config.file();
    Path generated = stateDir.resolve("spire-agent.conf");
    try {
      if (token.isPresent()) {
        Files.deleteIfExists(generated);
        Files.createFile(
            generated,
            PosixFilePermissions.asFileAttribute(PosixFilePermissions.fromString("rw-------")));
        Files.writeString(
            generated, config.withJoinToken(token.get().value()), StandardCharsets.UTF_8);
        configFile = generated;
      }
      Path log = stateDir.resolve("spire-agent.log");
      Process process =
          new ProcessBuilder(binary.toString(), "run", "-config", configFile.toString())
              .redirectErrorStream(true)
              .redirectOutput(ProcessBuilder.Redirect.appendTo(log.toFile()))
              .start();
      agent = process.toHandle();
      Files.writeString(pidFile(), Long.toString(process.pid()) + "\n", StandardCharsets.UTF_8);
      LOG.info(
          "started spire-agent pid {} ({} join token)",
          process.pid(),
          token.isPresent() ? "with a new" : "without a");
      return awaitSocket(process, log);
    } catch (IOException e) {
      throw new SvidException("starting " + binary + " failed: " + e.getMessage(), e);
    } finally {
      if (token.isPresent()) {
        deleteQuietly(generated);
      }
    }
  }

  private Optional<String> awaitSocket(Process process, Path log) throws SvidException {
    Instant deadline = clock.instant().plus(startTimeout);
    while (!Files.exists(config.socketPath())) {
      if (!process.isAlive()) {
        return Optional.of(
            "it exited with code " + process.exitValue() + "; last log line: " + lastLine(log));
      }
      if (clock.instant().isAfter(deadline)) {
        process.destroy();
        return Optional.of(
            "Workload API socket "
                + config.socketPath()
                + " not present after "
                + startTimeout.toSeconds()
                + " s; last log line: "
                + lastLine(log));
      }
      try {
        Thread.sleep(200);
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        throw new SvidException("interrupted while starting spire-agent", e);
      }
    }
    return Optional.empty();
  }

  private void watch() {
    ProcessHandle watched = agent;
    var unused =
        watched
            .onExit()
            .thenRun(
                () -> {
                  if (closing) {
                    return;
                  }
                  LOG.error(
                      "spire-agent pid {} exited; restarting it in {} s",
                      watched.pid(),
                      restartDelay.toSeconds());
                  Thread.ofVirtual().name("spire-agent-restart").start(this::restart);
                });
  }

  private void restart() {
    Duration delay = restartDelay;
    while (!closing) {
      try {
        Thread.sleep(delay);
        launchAndAwait();
        watch();
        return;
      } catch (SvidException | EnrolmentException e) {
        delay =
            delay.multipliedBy(2).compareTo(MAX_RESTART_DELAY) > 0
                ? MAX_RESTART_DELAY
                : delay.multipliedBy(2);
        LOG.error(
            "restarting spire-agent failed, retrying in {} s: {}",
            delay.toSeconds(),
            e.getMessage());
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        return;
      }
    }
  }

  /** Finds a spire-agent that a previous run of the node agent started and that still runs. */
  private Optional<ProcessHandle> adoptRunning() {
    try {
      if (!Files.exists(pidFile())) {
        return Optional.empty();
      }
      long pid = Long.parseLong(Files.readString(pidFile(), StandardCharsets.UTF_8).strip());
      Optional<ProcessHandle> handle = ProcessHandle.of(pid).filter(ProcessHandle::isAlive);
      Path cmdline = Path.of("/proc", Long.toString(pid), "cmdline");
      if (handle.isPresent()
          && Files.exists(cmdline)
          && new String(Files.readAllBytes(cmdline), StandardCharsets.UTF_8)
              .contains(binary.toString())) {
        return handle;
      }
    } catch (IOException | NumberFormatException e) {
      LOG.warn("ignoring unreadable spire-agent pid file {}: {}", pidFile(), e.getMessage());
    }
    return Optional.empty();
  }

  private static String lastLine(Path log) {
    try {
      List<String> lines = Files.readAllLines(log, StandardCharsets.UTF_8);
      return lines.isEmpty() ? "(log empty)" : lines.get(lines.size() - 1).strip();
    } catch (IOException e) {
      return "(log unreadable: " + e.getMessage() + ")";
    }
  }

  private Path pidFile() {
    return stateDir.resolve("spire-agent.pid");
  }

  private Path enrolledMarker() {
    return stateDir.resolve("spire-agent.enrolled");
  }

  private static void deleteQuietly(Path file) {
    try {
      Files.deleteIfExists(file);
    } catch (IOException e) {
      LOG.error("deleting {} (it holds a join token) failed: {}", file, e.getMessage());
    }
  }

  /** Stops watching and terminates spire-agent. */
  @Override
  public void close() {
    closing = true;
    ProcessHandle handle = agent;
    if (handle != null && handle.isAlive()) {
      handle.destroy();
    }
  }
}
