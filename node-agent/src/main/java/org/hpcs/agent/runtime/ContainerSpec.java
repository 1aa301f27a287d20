package org.hpcs.agent.runtime;

import java.nio.file.Path;
import java.util.HexFormat;
import java.util.List;
import java.util.Locale;
import java.util.Objects;

/**
 * What to run for one job step.
 *
 * @param image the decrypted SIF inside the job's image mount
 * @param expectedSha256 lower-case hex SHA-256 of the SIF as recorded in the job's manifest
 * @param input the plaintext input mount; the container sees it read-only at {@value #INPUT}
 * @param output the plaintext output mount; the container sees it writable at {@value #OUTPUT}
 * @param user the job user
 * @param command the step's argv, run inside the container
 * @param environment the only variables the container gets, besides {@code HOME}, {@code USER} and
 *     {@code LOGNAME} that runtimes may set
 */
public record ContainerSpec(
    Path image,
    String expectedSha256,
    Path input,
    Path output,
    JobUser user,
    List<String> command,
    EnvironmentAllowList environment) {
  /** Where the input appears in the container. */
  public static final String INPUT = "/hpcs/input";

  /** Where the output appears in the container; also the working directory. */
  public static final String OUTPUT = "/hpcs/output";

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
    if (command.isEmpty()) {
      throw new IllegalArgumentException("command must not be empty");
    }
    Objects.requireNonNull(environment, "environment must not be null");
  }

  private static boolean isHex(String text) {
    return text.chars().allMatch(HexFormat::isHexDigit);
  }
}
