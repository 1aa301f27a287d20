package org.hpcs.agent.runtime;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import org.hpcs.agent.mount.JobWorkspace;
import org.hpcs.agent.sif.SifImage;

/**
 * Runs containers with {@code apptainer exec}, the production default. Apptainer (not packaged for
 * Debian 12) runs as the job user and mounts the SIF itself, so this runtime has no per-job setup.
 *
 * <p>Options: {@code --containall} (own PID and IPC namespaces, minimal {@code /dev}, empty {@code
 * /tmp} and home, implies {@code --cleanenv}), {@code --cleanenv} stated as well, {@code
 * --no-home}, {@code --no-mount hostfs,bind-paths} (no site-wide bind paths), {@code --no-eval}
 * (variable values are not shell-evaluated), {@code --net --network none}, the input bound
 * read-only and the output read-write, one {@code --env NAME=VALUE} per allow-listed variable and
 * {@code --cwd} {@value ContainerSpec#OUTPUT}.
 *
 * <p>NOTE: the argv is checked against Apptainer's documented flags only; it was never run against
 * a real Apptainer. Whether an unprivileged user may use {@code --net --network none} depends on
 * the site's apptainer.conf.
 */
public final class ApptainerRuntime implements ContainerRuntime {
  private final Path apptainer;
  private final boolean requireEncryptedImage;

  /**
   * Creates the runtime.
   *
   * @param apptainer path of the apptainer binary
   * @param requireEncryptedImage true when the site encrypts images with Apptainer itself; a SIF
   *     without an encrypted root file system is then rejected
   */
  public ApptainerRuntime(Path apptainer, boolean requireEncryptedImage) {
    this.apptainer = Objects.requireNonNull(apptainer, "apptainer must not be null");
    this.requireEncryptedImage = requireEncryptedImage;
  }

  @Override
  public String name() {
    return "apptainer";
  }

  @Override
  public PreparedContainer prepare(ContainerSpec spec, JobWorkspace workspace)
      throws ContainerException {
    SifImage image = ImageCheck.verify(spec.image(), spec.expectedSha256());
    checkImage(spec.image(), image);
    return new PreparedContainer(name(), spec, this::argv, () -> {});
  }

  @Override
  public PreparedContainer adopt(ContainerSpec spec, JobWorkspace workspace)
      throws ContainerException {
    // Apptainer keeps no per-job setup on the node; each step opens the image as the job user.
    return new PreparedContainer(name(), spec, this::argv, () -> {});
  }

  /** Returns the apptainer argv for {@code spec}. */
  List<String> argv(ContainerSpec spec) throws ContainerException {
    List<String> argv = new ArrayList<>();
    argv.addAll(List.of(apptainer.toString(), "exec"));
    argv.addAll(List.of("--containall", "--cleanenv", "--no-home", "--no-eval"));
    argv.addAll(List.of("--no-mount", "hostfs,bind-paths"));
    argv.addAll(List.of("--net", "--network", "none"));
    argv.addAll(List.of("--bind", bindSpec(spec.input(), ContainerSpec.INPUT, "ro")));
    argv.addAll(List.of("--bind", bindSpec(spec.output(), ContainerSpec.OUTPUT, "rw")));
    if (spec.jobScript().isPresent()) {
      argv.addAll(
          List.of("--bind", bindSpec(spec.jobScript().get(), ContainerSpec.JOB_SCRIPT, "ro")));
    }
    for (Map.Entry<String, String> variable : spec.environment().variables().entrySet()) {
      argv.addAll(List.of("--env", envSpec(variable.getKey(), variable.getValue())));
    }
    argv.addAll(List.of("--cwd", ContainerSpec.OUTPUT));
    argv.add(spec.image().toString());
    argv.addAll(spec.command());
    return argv;
  }

  private void checkImage(Path path, SifImage image) throws ContainerException {
    if (requireEncryptedImage && !image.hasEncryptedRoot()) {
      throw new ContainerException(
          "Image "
              + path
              + " has no encrypted root file system, but this site requires Apptainer-encrypted"
              + " images; the step was not started: build the image with apptainer build"
              + " --pem-path and resubmit");
    }
    if (!image.hasPrimaryPartition()) {
      throw new ContainerException(
          "Image "
              + path
              + " declares its root file system as a plain system partition, and Apptainer runs"
              + " only the primary one: rebuild it with apptainer build, or with siftool add"
              + " --parttype 2");
    }
  }

  private static String bindSpec(Path source, String destination, String mode)
      throws ContainerException {
    String text = source.toString();
    if (text.contains(":") || text.contains(",")) {
      throw new ContainerException(
          "Cannot bind " + text + ": Apptainer bind paths must not contain ':' or ','");
    }
    return text + ":" + destination + ":" + mode;
  }

  private static String envSpec(String name, String value) throws ContainerException {
    if (name.equals("HOME")) {
      throw new ContainerException(
          "HOME cannot be set with apptainer --env; remove it from the allow-list");
    }
    if (value.contains(",") || value.contains("\"") || value.contains("\n")) {
      throw new ContainerException(
          "Environment variable "
              + name
              + " has a value with ',', '\"' or a newline, which apptainer --env would split;"
              + " change the value or drop the variable");
    }
    return name + "=" + value;
  }
}
