package org.hpcs.testcluster;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * The shell {@code KEY=VALUE} lines that {@code hpcs-cluster up} writes to {@code
 * /run/hpcs-test/stack.env} once every component of the stack is ready.
 *
 * <p>Blank lines and {@code #} comments are skipped, an {@code export } prefix is allowed, and a
 * value wrapped in single or double quotes loses the quotes. A key given twice keeps its last
 * value, as the shell would.
 *
 * @param source the file the values came from (used in error messages)
 * @param values the keys and values in file order
 */
public record StackEnv(Path source, Map<String, String> values) {

  /** Where the stack writes its environment. */
  public static final Path DEFAULT_PATH = Path.of("/run/hpcs-test/stack.env");

  private static final Pattern LINE =
      Pattern.compile("^(?:export\\s+)?([A-Za-z_][A-Za-z0-9_]*)=(.*)$");

  public StackEnv {
    Objects.requireNonNull(source, "source must not be null");
    values = Map.copyOf(values);
  }

  /**
   * Reads and parses an environment file.
   *
   * @throws TestClusterException if the file cannot be read or has a malformed line
   */
  public static StackEnv load(Path file) {
    List<String> lines;
    try {
      lines = Files.readAllLines(file, StandardCharsets.UTF_8);
    } catch (IOException e) {
      throw new TestClusterException(
          "Cannot read the test stack environment "
              + file
              + " ("
              + e
              + "); start the stack with: slurm-test-cluster/bin/hpcs-cluster up",
          e);
    }
    return parse(file, lines);
  }

  /**
   * Parses environment lines.
   *
   * @throws TestClusterException if a line is neither blank, a comment nor {@code KEY=VALUE}
   */
  public static StackEnv parse(Path source, List<String> lines) {
    Map<String, String> values = new LinkedHashMap<>();
    for (int i = 0; i < lines.size(); i++) {
      String line = lines.get(i).strip();
      if (line.isEmpty() || line.startsWith("#")) {
        continue;
      }
      Matcher matcher = LINE.matcher(line);
      if (!matcher.matches()) {
        throw new TestClusterException(
            "Line "
                + (i + 1)
                + " of "
                + source
                + " is not KEY=VALUE: '"
                + line
                + "'; rewrite the file with: slurm-test-cluster/bin/hpcs-cluster up");
      }
      values.put(matcher.group(1), unquote(matcher.group(2)));
    }
    return new StackEnv(source, values);
  }

  /**
   * Returns the value of a key that the stack must provide.
   *
   * @throws TestClusterException if the key is missing or empty
   */
  public String require(String key) {
    return find(key)
        .orElseThrow(
            () ->
                new TestClusterException(
                    "Key "
                        + key
                        + " is missing or empty in "
                        + source
                        + "; the stack that wrote it is older than this harness: run"
                        + " slurm-test-cluster/bin/hpcs-cluster up from this checkout"));
  }

  /** Returns the value of a key when it is present and not empty. */
  public Optional<String> find(String key) {
    return Optional.ofNullable(values.get(key)).filter(value -> !value.isEmpty());
  }

  private static String unquote(String value) {
    if (value.length() >= 2) {
      char first = value.charAt(0);
      if ((first == '\'' || first == '"') && value.charAt(value.length() - 1) == first) {
        return value.substring(1, value.length() - 1);
      }
    }
    return value;
  }
}
