package org.hpcs.client.cli;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.Map;
import java.util.Optional;

/**
 * Values of the running test stack, read from /run/hpcs-test/stack.env (shell KEY=VALUE lines).
 *
 * <p>NOTE: this replaces org.hpcs.testcluster.TestClusterExtension from the slurm-test-cluster
 * module, which starts the stack when it is down; switch to it once that module provides it.
 */
final class StackEnvironment {
  static final Path STACK_ENV = Path.of("/run/hpcs-test/stack.env");

  private final Map<String, String> values;

  private StackEnvironment(Map<String, String> values) {
    this.values = values;
  }

  /** Returns the stack's values, or empty when the stack is not up. */
  static Optional<StackEnvironment> load() throws IOException {
    if (!Files.isRegularFile(STACK_ENV)) {
      return Optional.empty();
    }
    Map<String, String> values = new HashMap<>();
    for (String line : Files.readAllLines(STACK_ENV, StandardCharsets.UTF_8)) {
      String trimmed = line.strip();
      int equals = trimmed.indexOf('=');
      if (trimmed.isEmpty() || trimmed.startsWith("#") || equals < 0) {
        continue;
      }
      String value = trimmed.substring(equals + 1).strip();
      if (value.length() >= 2 && (value.startsWith("\"") || value.startsWith("'"))) {
        value = value.substring(1, value.length() - 1);
      }
      values.put(trimmed.substring(0, equals).replaceFirst("^export\\s+", ""), value);
    }
    return Optional.of(new StackEnvironment(values));
  }

  String get(String key) {
    String value = values.get(key);
    if (value == null) {
      throw new IllegalStateException(STACK_ENV + " has no " + key);
    }
    return value;
  }
}
