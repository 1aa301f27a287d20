package org.hpcs.agent.runtime;

import java.nio.file.Path;
import java.util.HexFormat;
import java.util.List;
import java.util.Locale;
import java.util.Objects;
import java.util.Optional;

/**
 * What to run for one job step.
 *
 * @param image the decrypted SIF inside the job's image mount
 * @param expectedSha256 lower-case hex SHA-256 of the SIF as recorded in the job's manifest
 * @param input the plaintext input mount; the container sees it read-only at {@value #INPUT}
 * @param output the plaintext output mount; the container sees it writable at {@value #OUTPUT}
 * @param user the job user
 * @param command the step's argv, run inside the container; empty for the argv prefix that the
 *     SPANK plugin completes with each task's own command
 * @param environment the only variables the container gets, besides {@code HOME}, {@code USER} and
 *     {@code LOGNAME} that runtimes may set
 * @param jobScript the host path of a batch script that the container sees read-only at {@value
 *     #JOB_SCRIPT}, for the batch step of a job
 */
public record ContainerSpec(
    Path image,
    String expectedSha256,
    Path input,
    Path output,
    JobUser user,
    List<String> command,
    EnvironmentAllowList environment,
    Optional<Path> jobScript) {
  /** Where the input appears in the container. */
  public static final String INPUT = "/hpcs/input";

  /** Where the output appears in the container; also the working directory. */
  public static final String OUTPUT = "/hpcs/output";

  /**
   * Where a batch script appears in the container. It lies in the container's own {@code /tmp},
   * because the image's root file system is read-only and has no mount point for it.
   */
  public static final String JOB_SCRIPT = "/tmp/hpcs-job-script";

  /** Creates a spec without a batch script. */
  public ContainerSpec(
      Path image,
      String expectedSha256,
      Path input,
      Path output,
      JobUser user,
      List<String> command,
      EnvironmentAllowList environment) {
    this(image, expectedSha256, input, output, user, command, environment, Optional.empty());
  }

  /** Checks every field and copies the command. */
  public ContainerSpec {
    image = Objects.requireNonNull(image, "image must not be null").toAbsolutePath();
    Objects.requireNonNull(expectedSha256, "expectedSha256 must not be null");
    expectedSha256 = expectedSha256.toLowerCase(Locale.ROOT);
    if (expectedSha256.length() != 64 || !isHex(expectedSha256)) {
      throw new IllegalArgumentException(
          "expectedSha256 must be 64 hex digits, got '" + expectedSha256 + "'");
    }
    input = Objects.requireNonNull(input, "input must not be null").toAbsolutePath();
    output = Objects.requireNonNull(output, "output must not be null").toAbsolutePath();
    Objects.requireNonNull(user, "user must not be null");
    command = List.copyOf(command);
    Objects.requireNonNull(environment, "environment must not be null");
    Objects.requireNonNull(jobScript, "jobScript must not be null");
    if (jobScript.isPresent() && !jobScript.get().isAbsolute()) {
      throw new IllegalArgumentException("jobScript must be absolute, got " + jobScript.get());
    }
  }

  /** Returns a copy that runs {@code newCommand}, for the argv of one step. */
  public ContainerSpec withCommand(List<String> newCommand) {
    return new ContainerSpec(
        image, expectedSha256, input, output, user, newCommand, environment, jobScript);
  }

  /** Returns a copy with another environment and batch script, for the argv prefix of one step. */
  public ContainerSpec forStep(EnvironmentAllowList stepEnvironment, Optional<Path> script) {
    return new ContainerSpec(
        image, expectedSha256, input, output, user, command, stepEnvironment, script);
  }

  private static boolean isHex(String text) {
    return text.chars().allMatch(HexFormat::isHexDigit);
  }
}
