package org.hpcs.agent.mount;

import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import java.util.Optional;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Removes a mount at job end even when processes still use it: ends every process that holds the
 * mount (SIGTERM, then SIGKILL after a grace period) and logs its PID, unmounts, retries, falls
 * back to a lazy unmount and finally checks {@code /proc/self/mountinfo}.
 */
public final class Unmounter {
  private static final Logger LOG = LoggerFactory.getLogger(Unmounter.class);
  private static final int ATTEMPTS = 3;
  private static final Duration COMMAND_TIMEOUT = Duration.ofSeconds(30);
  private static final Duration KILL_WAIT = Duration.ofSeconds(5);

  private final Path fusermount;
  private final Duration grace;

  /**
   * Creates an unmounter.
   *
   * @param fusermount the fusermount3 binary used for FUSE mounts
   * @param grace how long holders get after SIGTERM before SIGKILL
   */
  public Unmounter(Path fusermount, Duration grace) {
    this.fusermount = Objects.requireNonNull(fusermount, "fusermount must not be null");
    this.grace = Objects.requireNonNull(grace, "grace must not be null");
  }

  /**
   * Unmounts whatever is mounted at {@code mountPoint}; does nothing if nothing is.
   *
   * @throws MountException if the mount is still in the mount table after the lazy unmount
   */
  public UnmountReport unmount(Path mountPoint) throws MountException {
    Path target = mountPoint.toAbsolutePath().normalize();
    Optional<MountEntry> mounted = MountTable.read().at(target);
    if (mounted.isEmpty()) {
      return new UnmountReport(target, false, List.of(), false);
    }
    MountEntry entry = mounted.get();
    List<MountHolder> ended = new ArrayList<>();
    for (int attempt = 1; attempt <= ATTEMPTS; attempt++) {
      ended.addAll(endHolders(entry));
      CommandResult result = CommandRunner.run(unmountCommand(entry, false), COMMAND_TIMEOUT);
      if (!isMounted(target)) {
        LOG.info("Unmounted {}", target);
        return new UnmountReport(target, true, ended, false);
      }
      LOG.warn(
          "Unmount of {} failed (attempt {} of {}): {}",
          target,
          attempt,
          ATTEMPTS,
          result.trimmedOutput());
      pause(Duration.ofMillis(200L * attempt));
    }
    return lazyUnmount(entry, ended);
  }

  /**
   * Ends every process that holds the mount at {@code mountPoint} (SIGTERM, then SIGKILL after the
   * grace period) and leaves the mount in place; does nothing if nothing is mounted there.
   *
   * @return the processes that held the mount
   * @throws MountException if the mount table cannot be read
   */
  public List<MountHolder> endHolders(Path mountPoint) throws MountException {
    Optional<MountEntry> mounted = MountTable.read().at(mountPoint.toAbsolutePath().normalize());
    return mounted.isEmpty() ? List.of() : endHolders(mounted.get());
  }

  private UnmountReport lazyUnmount(MountEntry entry, List<MountHolder> ended)
      throws MountException {
    Path target = entry.mountPoint();
    CommandResult result = CommandRunner.run(unmountCommand(entry, true), COMMAND_TIMEOUT);
    if (isMounted(target)) {
      throw new MountException(
          "Cannot unmount "
              + target
              + " even lazily ("
              + result.trimmedOutput()
              + "); run "
              + String.join(" ", unmountCommand(entry, true))
              + " as root and check which process holds it");
    }
    LOG.warn(
        "Detached {} with a lazy unmount; its FUSE server ends when the last user is gone", target);
    return new UnmountReport(target, true, ended, true);
  }

  private List<MountHolder> endHolders(MountEntry entry) {
    List<MountHolder> holders = MountHolders.find(entry);
    for (MountHolder holder : holders) {
      LOG.warn(
          "Process {} ({}) holds {} through {}; sending SIGTERM",
          holder.pid(),
          holder.command(),
          entry.mountPoint(),
          holder.via());
      ProcessHandle.of(holder.pid()).ifPresent(ProcessHandle::destroy);
    }
    List<MountHolder> remaining = waitUntilReleased(holders, entry, grace);
    for (MountHolder holder : remaining) {
      LOG.warn("Process {} ({}) ignored SIGTERM; sending SIGKILL", holder.pid(), holder.command());
      ProcessHandle.of(holder.pid()).ifPresent(ProcessHandle::destroyForcibly);
    }
    waitUntilReleased(remaining, entry, KILL_WAIT);
    return holders;
  }

  private static List<MountHolder> waitUntilReleased(
      List<MountHolder> holders, MountEntry entry, Duration timeout) {
    Instant deadline = Instant.now().plus(timeout);
    List<MountHolder> remaining = new ArrayList<>(holders);
    while (true) {
      remaining.removeIf(h -> MountHolders.holdingLink(h.pid(), entry).isEmpty());
      if (remaining.isEmpty() || Instant.now().isAfter(deadline)) {
        return remaining;
      }
      pause(Duration.ofMillis(50));
    }
  }

  private List<String> unmountCommand(MountEntry entry, boolean lazy) {
    String point = entry.mountPoint().toString();
    if (entry.isFuse()) {
      return lazy
          ? List.of(fusermount.toString(), "-u", "-z", point)
          : List.of(fusermount.toString(), "-u", point);
    }
    return lazy ? List.of("umount", "-l", point) : List.of("umount", point);
  }

  private static boolean isMounted(Path target) throws MountException {
    return MountTable.read().at(target).isPresent();
  }

  private static void pause(Duration duration) {
    try {
      Thread.sleep(duration);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
  }
}
