package org.hpcs.agent.runtime;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import org.hpcs.agent.mount.CommandResult;
import org.hpcs.agent.mount.CommandRunner;
import org.hpcs.agent.mount.JobWorkspace;
import org.hpcs.agent.mount.MountException;
import org.hpcs.agent.mount.MountTable;
import org.hpcs.agent.sif.SifImage;
import org.hpcs.agent.sif.SifPartition;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Runs containers with bubblewrap on a squashfuse mount of the SIF's root partition. For sites
 * without Apptainer; needs unprivileged user namespaces, because bwrap runs as the job user.
 *
 * <p>Setup: the agent (root) mounts the squashfs partition with {@code squashfuse -o
 * offset=<N>,allow_other} at {@code <runDir>/rootfs}. squashfuse does no permission checks, so the
 * job's run directory (mode 0700, job user) is what keeps other users out.
 *
 * <p>The container gets the root file system read-only, a new {@code /proc}, a minimal {@code
 * /dev}, an empty {@code /tmp}, the input read-only at {@value ContainerSpec#INPUT} and the output
 * writable at {@value ContainerSpec#OUTPUT}, which is also the working directory and {@code HOME}.
 * Every namespace is unshared, so the network has only a loopback device. {@code --new-session}
 * stops the payload from injecting input into the caller's terminal, at the price of job control in
 * interactive steps.
 */
public final class BwrapRuntime implements ContainerRuntime {
  private static final Logger LOG = LoggerFactory.getLogger(BwrapRuntime.class);
  private static final String DEFAULT_PATH =
      "/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin";
  private static final Duration MOUNT_TIMEOUT = Duration.ofSeconds(30);
  private static final String ROOTFS = "rootfs";

  private final Path bwrap;

  /**
   * Creates the runtime.
   *
   * @param bwrap path of the bwrap binary on the compute node
   */
  public BwrapRuntime(Path bwrap) {
    this.bwrap = Objects.requireNonNull(bwrap, "bwrap must not be null");
  }

  @Override
  public String name() {
    return "bwrap";
  }

  @Override
  public PreparedContainer prepare(ContainerSpec spec, JobWorkspace workspace)
      throws ContainerException {
    SifImage image = ImageCheck.verify(spec.image(), spec.expectedSha256());
    if (image.hasEncryptedRoot()) {
      throw new ContainerException(
          "Image "
              + spec.image()
              + " has an Apptainer-encrypted root file system, which squashfuse cannot open;"
              + " run it with the apptainer runtime or submit an unencrypted SIF");
    }
    requireDirectory(spec.input(), "input");
    requireDirectory(spec.output(), "output");
    Path rootfs = mountRootFs(image, workspace);
    return new PreparedContainer(
        name(), spec, variant -> argv(variant, rootfs), () -> unmount(workspace, rootfs));
  }

  @Override
  public PreparedContainer adopt(ContainerSpec spec, JobWorkspace workspace)
      throws ContainerException {
    if (!workspace.otherNames().contains(ROOTFS)) {
      throw new ContainerException(
          "The workspace of job "
              + workspace.jobId()
              + " has no root file system mount of the image to take over");
    }
    Path rootfs = workspace.runDir().resolve(ROOTFS);
    LOG.info("Took over the root file system of {} at {}", spec.image(), rootfs);
    return new PreparedContainer(
        name(), spec, variant -> argv(variant, rootfs), () -> unmount(workspace, rootfs));
  }

  /** Returns the bwrap argv for {@code spec} with the root file system at {@code rootfs}. */
  List<String> argv(ContainerSpec spec, Path rootfs) {
    List<String> argv = new ArrayList<>();
    argv.add(bwrap.toString());
    argv.addAll(List.of("--unshare-all", "--die-with-parent", "--new-session"));
    argv.addAll(List.of("--ro-bind", rootfs.toString(), "/"));
    argv.addAll(List.of("--proc", "/proc", "--dev", "/dev", "--tmpfs", "/tmp"));
    argv.addAll(List.of("--ro-bind", spec.input().toString(), ContainerSpec.INPUT));
    argv.addAll(List.of("--bind", spec.output().toString(), ContainerSpec.OUTPUT));
    spec.jobScript()
        .ifPresent(
            script ->
                argv.addAll(List.of("--ro-bind", script.toString(), ContainerSpec.JOB_SCRIPT)));
    argv.add("--clearenv");
    for (Map.Entry<String, String> variable : environment(spec).entrySet()) {
      argv.addAll(List.of("--setenv", variable.getKey(), variable.getValue()));
    }
    argv.addAll(List.of("--chdir", ContainerSpec.OUTPUT, "--"));
    argv.addAll(spec.command());
    return argv;
  }

  private static Map<String, String> environment(ContainerSpec spec) {
    Map<String, String> env = new LinkedHashMap<>();
    env.put("HOME", ContainerSpec.OUTPUT);
    env.put("USER", spec.user().name());
    env.put("LOGNAME", spec.user().name());
    env.put("PATH", DEFAULT_PATH);
    env.putAll(spec.environment().variables());
    return env;
  }

  private static Path mountRootFs(SifImage image, JobWorkspace workspace)
      throws ContainerException {
    SifPartition root = image.rootPartition();
    try {
      Path rootfs = workspace.createMountPoint(ROOTFS);
      List<String> argv =
          List.of(
              workspace.tools().squashfuse().toString(),
              "-o",
              "ro,allow_other,offset=" + root.offset(),
              image.path().toString(),
              rootfs.toString());
      CommandResult result = CommandRunner.run(argv, MOUNT_TIMEOUT);
      if (!result.succeeded() || MountTable.read().at(rootfs).isEmpty()) {
        workspace.unmounter().unmount(rootfs);
        throw new ContainerException(
            "squashfuse could not mount partition "
                + root.id()
                + " of "
                + image.path()
                + " at "
                + rootfs
                + " (exit "
                + result.exitCode()
                + "): "
                + result.trimmedOutput());
      }
      LOG.info("Mounted the root file system of {} at {}", image.path(), rootfs);
      return rootfs;
    } catch (MountException e) {
      throw new ContainerException("Cannot mount the root file system: " + e.getMessage(), e);
    }
  }

  private static void unmount(JobWorkspace workspace, Path rootfs) throws ContainerException {
    try {
      workspace.unmounter().unmount(rootfs);
    } catch (MountException e) {
      throw new ContainerException("Cannot unmount " + rootfs + ": " + e.getMessage(), e);
    }
  }

  private static void requireDirectory(Path dir, String role) throws ContainerException {
    if (!Files.isDirectory(dir)) {
      throw new ContainerException(
          "The " + role + " directory " + dir + " does not exist; mount it before the container");
    }
  }
}
