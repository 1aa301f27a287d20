package org.hpcs.agent.mount;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.regex.Pattern;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The per-job directories and mounts on one node.
 *
 * <ul>
 *   <li>{@code <stateDir>/<job>/}: root, 0700; one cipher directory and one gocryptfs log per
 *       mount.
 *   <li>{@code <runDir>/<job>/}: the mount points. Root-only (0700) while the agent sets the job
 *       up, so no other process can swap a mount point for a symbolic link; {@link #handOver()}
 *       then gives it to the job user with mode 0700, which keeps every other user out of all
 *       mounts below it, including FUSE mounts that do no permission checks themselves (the
 *       squashfuse root file system). The job user cannot rename the mount points, because the
 *       kernel refuses to rename a directory that is a mount point.
 * </ul>
 *
 * <p>{@link #close()} removes everything, also after a failure half-way; {@link
 * #cleanUpStale(WorkspaceLayout, FuseTools, String)} does the same for a job that an earlier agent
 * process left behind.
 */
public final class JobWorkspace implements AutoCloseable {
  private static final Logger LOG = LoggerFactory.getLogger(JobWorkspace.class);
  private static final Pattern JOB_ID = Pattern.compile("[A-Za-z0-9][A-Za-z0-9._-]{0,63}");
  private static final Pattern NAME = Pattern.compile("[a-z][a-z0-9-]{0,31}");

  private final String jobId;
  private final FuseTools tools;
  private final FileOwner owner;
  private final Path stateDir;
  private final Path runDir;
  private final Unmounter unmounter;
  private final Map<String, GocryptfsMount> encrypted = new LinkedHashMap<>();
  private final List<String> names = new ArrayList<>();
  private boolean closed;

  private JobWorkspace(
      String jobId, FuseTools tools, FileOwner owner, Path stateDir, Path runDir, Unmounter u) {
    this.jobId = jobId;
    this.tools = tools;
    this.owner = owner;
    this.stateDir = stateDir;
    this.runDir = runDir;
    this.unmounter = u;
  }

  /**
   * Creates the job's state and run directories.
   *
   * @throws MountException if the job id is invalid, the base directories are unsafe, or the job
   *     already has directories (call {@link #cleanUpStale} first)
   */
  public static JobWorkspace create(
      WorkspaceLayout layout, FuseTools tools, String jobId, FileOwner owner)
      throws MountException {
    Objects.requireNonNull(layout, "layout must not be null");
    Objects.requireNonNull(tools, "tools must not be null");
    Objects.requireNonNull(owner, "owner must not be null");
    requireJobId(jobId);
    ensureBaseDir(layout.stateDir(), true);
    ensureBaseDir(layout.runDir(), false);
    Path state = layout.stateDir().resolve(jobId);
    Path run = layout.runDir().resolve(jobId);
    try {
      FileModes.createRootDir(state, FileModes.OWNER_ONLY);
    } catch (IOException e) {
      throw leftOver(jobId, e);
    }
    try {
      FileModes.createRootDir(run, FileModes.OWNER_ONLY);
    } catch (IOException e) {
      deleteQuietly(state, e);
      throw leftOver(jobId, e);
    }
    Unmounter unmounter = new Unmounter(tools.fusermount(), layout.holderGrace());
    return new JobWorkspace(jobId, tools, owner, state, run, unmounter);
  }

  /**
   * Removes what an earlier agent process left for {@code jobId}: unmounts everything below the
   * job's run directory and deletes both job directories. Does nothing if there is nothing.
   *
   * @throws MountException if a mount cannot be removed
   */
  public static TeardownReport cleanUpStale(WorkspaceLayout layout, FuseTools tools, String jobId)
      throws MountException {
    requireJobId(jobId);
    Unmounter unmounter = new Unmounter(tools.fusermount(), layout.holderGrace());
    List<UnmountReport> reports =
        unmountAllUnder(layout.runDir().resolve(jobId), unmounter, new ArrayList<>());
    deleteDirs(layout.stateDir().resolve(jobId), layout.runDir().resolve(jobId));
    return new TeardownReport(jobId, reports);
  }

  /**
   * Takes over the workspace of a job that an earlier agent process set up and handed over, with
   * its mounts still in place, so that steps can use it and {@link #teardown()} removes it.
   *
   * @param encryptedNames the gocryptfs mounts, in the order they were made
   * @param otherNames the mounts made by the container runtime, in the order they were made
   * @throws MountException if a directory is missing or not the job user's, or a mount is gone;
   *     nothing is changed then, and {@link #cleanUpStale} removes what is left
   */
  public static JobWorkspace adopt(
      WorkspaceLayout layout,
      FuseTools tools,
      String jobId,
      FileOwner owner,
      List<String> encryptedNames,
      List<String> otherNames)
      throws MountException {
    requireJobId(jobId);
    Path state = layout.stateDir().resolve(jobId);
    Path run = layout.runDir().resolve(jobId);
    requireAdoptable(state, run, owner);
    Unmounter unmounter = new Unmounter(tools.fusermount(), layout.holderGrace());
    JobWorkspace workspace = new JobWorkspace(jobId, tools, owner, state, run, unmounter);
    for (String name : encryptedNames) {
      requireName(name);
      workspace.encrypted.put(
          name,
          GocryptfsMount.adopt(state.resolve(name + ".cipher"), run.resolve(name), unmounter));
      workspace.names.add(name);
    }
    for (String name : otherNames) {
      requireName(name);
      if (MountTable.read().at(run.resolve(name)).isEmpty()) {
        throw new MountException("Nothing is mounted at " + run.resolve(name) + " any more");
      }
      workspace.names.add(name);
    }
    return workspace;
  }

  /**
   * Checks that every mount of the job is still in the mount table. A step must not start on a bare
   * mount point, because what it wrote there would not be encrypted. Also, the job user owns the
   * run directory and could replace the empty point with a directory or link of their own.
   *
   * @throws MountException naming the first mount that is gone
   */
  public void requireMounted() throws MountException {
    requireOpen();
    MountTable table = MountTable.read();
    for (String name : names) {
      Path point = runDir.resolve(name);
      Optional<MountEntry> entry = table.at(point);
      if (entry.isEmpty()
          || (encrypted.containsKey(name) && !entry.get().fsType().equals("fuse.gocryptfs"))) {
        throw new MountException("The mount " + point + " of job " + jobId + " is gone");
      }
    }
  }

  /** Returns the names of the gocryptfs mounts, in the order they were made. */
  public List<String> encryptedNames() {
    return List.copyOf(encrypted.keySet());
  }

  /** Returns the names of the mounts made by the container runtime, in the order they were made. */
  public List<String> otherNames() {
    return names.stream().filter(name -> !encrypted.containsKey(name)).toList();
  }

  /** Returns the job id. */
  public String jobId() {
    return jobId;
  }

  /** Returns the directory that holds the job's mount points. */
  public Path runDir() {
    return runDir;
  }

  /** Returns the root-only directory that holds the job's cipher directories. */
  public Path stateDir() {
    return stateDir;
  }

  /** Returns the job user. */
  public FileOwner owner() {
    return owner;
  }

  /** Returns the checked FUSE tools. */
  public FuseTools tools() {
    return tools;
  }

  /**
   * Creates and mounts an encrypted file system at {@code <runDir>/<name>} owned by the job user.
   *
   * @param name lower-case name such as {@code image}, {@code input} or {@code output}
   * @throws MountException if the name is invalid or taken, or the mount fails
   */
  public GocryptfsMount mountEncrypted(String name) throws MountException {
    Path point = createMountPoint(name);
    GocryptfsMount mount =
        GocryptfsMount.create(
            tools,
            stateDir.resolve(name + ".cipher"),
            point,
            owner,
            stateDir.resolve(name + ".log"),
            unmounter);
    encrypted.put(name, mount);
    return mount;
  }

  /**
   * Creates an empty root-owned directory {@code <runDir>/<name>} for a mount made by someone else
   * (the container runtime's root file system). {@link #close()} unmounts whatever is mounted
   * there.
   *
   * @throws MountException if the name is invalid or taken
   */
  public Path createMountPoint(String name) throws MountException {
    requireOpen();
    requireName(name);
    if (names.contains(name)) {
      throw new MountException("Job " + jobId + " already has a mount named '" + name + "'");
    }
    Path point = runDir.resolve(name);
    try {
      FileModes.createRootDir(point, FileModes.OWNER_ONLY);
    } catch (IOException e) {
      throw new MountException("Cannot create mount point " + point + ": " + e, e);
    }
    names.add(name);
    return point;
  }

  /** Returns the unmounter this workspace uses, for mounts made by a container runtime. */
  public Unmounter unmounter() {
    return unmounter;
  }

  /**
   * Ends every process that still uses one of the job's mounts, newest mount first, and leaves the
   * mounts in place, so that their content can be read consistently before {@link #teardown()}.
   *
   * @return the processes that were ended
   * @throws MountException if the mount table cannot be read
   */
  public List<MountHolder> endProcesses() throws MountException {
    requireOpen();
    List<MountHolder> ended = new ArrayList<>();
    for (String name : names.reversed()) {
      ended.addAll(unmounter.endHolders(runDir.resolve(name)));
    }
    return ended;
  }

  /**
   * Gives the run directory to the job user (mode 0700). Call it after every mount is in place and
   * before the job's command starts.
   *
   * @throws MountException if the owner cannot be changed
   */
  public void handOver() throws MountException {
    requireOpen();
    try {
      FileModes.set(runDir, owner, FileModes.OWNER_ONLY);
    } catch (IOException e) {
      throw new MountException("Cannot hand " + runDir + " to uid " + owner.uid() + ": " + e, e);
    }
  }

  /**
   * Unmounts every mount of the job (ending processes that hold them), deletes the cipher
   * directories and both job directories. Tries every step even when one fails.
   *
   * @throws MountException with the first failure, the others attached as suppressed
   */
  @Override
  public void close() throws MountException {
    teardown();
  }

  /**
   * Same as {@link #close()}, returning what was done.
   *
   * @throws MountException with the first failure, the others attached as suppressed
   */
  public TeardownReport teardown() throws MountException {
    if (closed) {
      return new TeardownReport(jobId, List.of());
    }
    closed = true;
    List<MountException> failures = new ArrayList<>();
    reclaimRunDir(failures);
    List<UnmountReport> reports = new ArrayList<>();
    unmountForeign(reports, failures);
    List<GocryptfsMount> mounts = new ArrayList<>(encrypted.values());
    Collections.reverse(mounts);
    for (GocryptfsMount mount : mounts) {
      try {
        reports.add(mount.unmount());
      } catch (MountException e) {
        failures.add(e);
      }
    }
    try {
      reports.addAll(unmountAllUnder(runDir, unmounter, failures));
      deleteDirs(stateDir, runDir);
    } catch (MountException e) {
      failures.add(e);
    }
    throwFirst(failures);
    LOG.info("Removed the mounts and directories of job {}", jobId);
    return new TeardownReport(jobId, reports);
  }

  /** Takes the run directory back so the job user cannot add entries during teardown. */
  private void reclaimRunDir(List<MountException> failures) {
    try {
      if (Files.isDirectory(runDir, LinkOption.NOFOLLOW_LINKS)) {
        FileModes.set(runDir, FileOwner.ROOT, FileModes.OWNER_ONLY);
      }
    } catch (IOException e) {
      failures.add(new MountException("Cannot take back " + runDir + ": " + e, e));
    }
  }

  /** Unmounts mounts that a runtime made on top of this workspace's mount points. */
  private void unmountForeign(List<UnmountReport> reports, List<MountException> failures) {
    for (String name : names.reversed()) {
      if (!encrypted.containsKey(name)) {
        try {
          reports.add(unmounter.unmount(runDir.resolve(name)));
        } catch (MountException e) {
          failures.add(e);
        }
      }
    }
  }

  private static List<UnmountReport> unmountAllUnder(
      Path dir, Unmounter unmounter, List<MountException> failures) throws MountException {
    List<UnmountReport> reports = new ArrayList<>();
    for (MountEntry entry : MountTable.read().under(dir)) {
      try {
        UnmountReport report = unmounter.unmount(entry.mountPoint());
        if (report.wasMounted()) {
          reports.add(report);
        }
      } catch (MountException e) {
        failures.add(e);
      }
    }
    List<MountEntry> left = MountTable.read().under(dir);
    if (!left.isEmpty()) {
      throw new MountException(
          "Mounts remain below "
              + dir
              + " after teardown: "
              + left.stream().map(e -> e.mountPoint().toString()).toList()
              + "; unmount them as root and delete "
              + dir);
    }
    return reports;
  }

  private static void deleteDirs(Path state, Path run) throws MountException {
    try {
      SafeDelete.deleteTree(state);
      SafeDelete.deleteTree(run);
    } catch (IOException e) {
      throw new MountException(
          "Cannot delete " + state + " or " + run + ": " + e + "; delete them by hand", e);
    }
  }

  private static void ensureBaseDir(Path dir, boolean rootOnly) throws MountException {
    try {
      if (!Files.exists(dir, LinkOption.NOFOLLOW_LINKS)) {
        Files.createDirectories(dir, PosixFilePermissions.asFileAttribute(FileModes.OWNER_ONLY));
        FileModes.set(
            dir, FileOwner.ROOT, rootOnly ? FileModes.OWNER_ONLY : FileModes.TRAVERSE_ONLY);
      }
      checkBaseDir(dir, rootOnly);
    } catch (IOException e) {
      throw new MountException("Cannot prepare " + dir + ": " + e, e);
    }
  }

  private static void checkBaseDir(Path dir, boolean rootOnly) throws IOException, MountException {
    if (!Files.isDirectory(dir, LinkOption.NOFOLLOW_LINKS)) {
      throw new MountException(dir + " is not a directory; remove it or configure another path");
    }
    int uid = FileModes.ownerUid(dir);
    int mode = FileModes.mode(dir);
    int forbidden = rootOnly ? 077 : 022;
    if (uid != 0 || (mode & forbidden) != 0) {
      throw new MountException(
          String.format(
              "%s has owner uid %d and mode %04o; it must belong to root with mode %s:"
                  + " run chown root:root %s && chmod %s %s",
              dir, uid, mode, rootOnly ? "0700" : "0711", dir, rootOnly ? "0700" : "0711", dir));
    }
  }

  private static void requireName(String name) throws MountException {
    if (!NAME.matcher(name).matches()) {
      throw new MountException(
          "Invalid mount name '" + name + "': use lower-case letters, digits and '-'");
    }
  }

  private static void requireAdoptable(Path state, Path run, FileOwner owner)
      throws MountException {
    try {
      if (!Files.isDirectory(state, LinkOption.NOFOLLOW_LINKS)
          || !Files.isDirectory(run, LinkOption.NOFOLLOW_LINKS)) {
        throw new MountException(
            "The directories " + state + " and " + run + " are not both there");
      }
      if (FileModes.ownerUid(state) != 0 || FileModes.ownerUid(run) != owner.uid()) {
        throw new MountException(
            "The directories "
                + state
                + " and "
                + run
                + " do not belong to root and uid "
                + owner.uid());
      }
    } catch (IOException e) {
      throw new MountException("Cannot check " + state + " and " + run + ": " + e, e);
    }
  }

  private static void requireJobId(String jobId) throws MountException {
    if (jobId == null || !JOB_ID.matcher(jobId).matches()) {
      throw new MountException(
          "Invalid job id '"
              + jobId
              + "': use 1 to 64 letters, digits, '.', '_' or '-', not starting with '.'");
    }
  }

  private void requireOpen() throws MountException {
    if (closed) {
      throw new MountException("The workspace of job " + jobId + " is already torn down");
    }
  }

  private static MountException leftOver(String jobId, IOException e) {
    return new MountException(
        "Cannot create the directories of job "
            + jobId
            + " ("
            + e
            + "); if an earlier agent left them behind, call cleanUpStale for the job first",
        e);
  }

  private static void deleteQuietly(Path dir, Exception cause) {
    try {
      SafeDelete.deleteTree(dir);
    } catch (IOException e) {
      cause.addSuppressed(e);
    }
  }

  private static void throwFirst(List<MountException> failures) throws MountException {
    if (failures.isEmpty()) {
      return;
    }
    MountException first = failures.get(0);
    for (MountException other : failures.subList(1, failures.size())) {
      first.addSuppressed(other);
    }
    throw first;
  }
}
