package org.hpcs.attest.internal;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.Set;
import java.util.TreeSet;
import java.util.regex.Pattern;
import org.hpcs.attest.AttestationException;

/**
 * Reads one attestor's configuration and collects every problem, so that a single error names all
 * bad or missing keys. Call {@link #check()} after reading every key.
 */
public final class Settings {
  /** Reason code for an invalid attestor configuration. */
  public static final String CONFIG_INVALID = "config-invalid";

  private static final Pattern COMMA = Pattern.compile(",");

  private final String attestor;
  private final Map<String, String> config;
  private final List<String> problems = new ArrayList<>();

  /**
   * Starts reading a configuration; keys outside {@code knownKeys} are recorded as problems.
   *
   * @param attestor the attestor name, for messages
   * @param config the key-value settings
   * @param knownKeys the keys this attestor understands
   */
  public Settings(String attestor, Map<String, String> config, Set<String> knownKeys) {
    this.attestor = Objects.requireNonNull(attestor, "attestor must not be null");
    this.config = Map.copyOf(Objects.requireNonNull(config, "config must not be null"));
    for (String key : new TreeSet<>(config.keySet())) {
      if (!knownKeys.contains(key)) {
        problems.add("unknown key '" + key + "' (known keys: " + new TreeSet<>(knownKeys) + ")");
      }
    }
  }

  /** Returns the value of a key, or empty when it is missing or blank. */
  public Optional<String> optional(String key) {
    String value = config.get(key);
    return value == null || value.isBlank() ? Optional.empty() : Optional.of(value.strip());
  }

  /** Returns the comma-separated items of a key, stripped and non-empty; the default if unset. */
  public List<String> list(String key, String defaultValue) {
    return COMMA
        .splitAsStream(optional(key).orElse(defaultValue))
        .map(String::strip)
        .filter(item -> !item.isEmpty())
        .toList();
  }

  /** Returns the value of a required key, recording a problem and returning "" when missing. */
  public String required(String key) {
    Optional<String> value = optional(key);
    if (value.isEmpty()) {
      problems.add("missing key '" + key + "'");
      return "";
    }
    return value.get();
  }

  /** Returns a path that must name a readable file, or empty after recording a problem. */
  public Optional<Path> requiredFile(String key) {
    String value = required(key);
    return value.isEmpty() ? Optional.empty() : readableFile(key, value);
  }

  /** Returns a path that must be readable if the key is set. */
  public Optional<Path> optionalFile(String key) {
    return optional(key).flatMap(value -> readableFile(key, value));
  }

  /** Returns an integer in [min, max], or the default when the key is missing. */
  public long integer(String key, long defaultValue, long min, long max) {
    Optional<String> value = optional(key);
    if (value.isEmpty()) {
      return defaultValue;
    }
    try {
      long parsed = Long.decode(value.get());
      if (parsed >= min && parsed <= max) {
        return parsed;
      }
    } catch (NumberFormatException e) {
      // recorded below
    }
    problems.add(
        "key '"
            + key
            + "' is '"
            + value.get()
            + "', expected an integer from "
            + min
            + " to "
            + max);
    return defaultValue;
  }

  /** Records a problem with a key that the caller validated itself. */
  public void problem(String key, String description) {
    problems.add("key '" + key + "' " + description);
  }

  /**
   * Throws when any problem was recorded.
   *
   * @throws AttestationException with reason {@value #CONFIG_INVALID}, naming every problem
   */
  public void check() throws AttestationException {
    if (!problems.isEmpty()) {
      throw new AttestationException(
          CONFIG_INVALID,
          attestor
              + " configuration is invalid: "
              + String.join("; ", problems)
              + ". Fix these keys in the attestor settings and restart.");
    }
  }

  private Optional<Path> readableFile(String key, String value) {
    Path path = Path.of(value);
    if (!Files.isRegularFile(path) || !Files.isReadable(path)) {
      problems.add("key '" + key + "' names " + path + ", which is not a readable file");
      return Optional.empty();
    }
    return Optional.of(path);
  }
}
