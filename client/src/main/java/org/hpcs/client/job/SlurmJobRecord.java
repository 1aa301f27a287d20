package org.hpcs.client.job;

import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Optional;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * One job as {@code scontrol show job -o} prints it: {@code Key=Value} pairs on one line. A value
 * may contain spaces (a command with arguments), so a field ends only where the next {@code Key=}
 * starts.
 *
 * @param fields the fields in output order
 */
public record SlurmJobRecord(Map<String, String> fields) {
  private static final Pattern KEY = Pattern.compile("(?:^|\\s)([A-Za-z][A-Za-z0-9/:_]*)=");

  /** Copies the map. */
  public SlurmJobRecord {
    fields = Map.copyOf(fields);
  }

  /** Parses the first line of the output. */
  public static SlurmJobRecord parse(String output) {
    String line = output.strip().lines().findFirst().orElse("");
    Map<String, String> fields = new LinkedHashMap<>();
    Matcher matcher = KEY.matcher(line);
    String key = null;
    int valueStart = 0;
    while (matcher.find()) {
      if (key != null) {
        fields.putIfAbsent(key, line.substring(valueStart, matcher.start()).strip());
      }
      key = matcher.group(1);
      valueStart = matcher.end();
    }
    if (key != null) {
      fields.putIfAbsent(key, line.substring(valueStart).strip());
    }
    return new SlurmJobRecord(fields);
  }

  /** Returns a field, empty when it is missing or {@code (null)}. */
  public Optional<String> get(String key) {
    String value = fields.get(key);
    return value == null || value.isEmpty() || value.equals("(null)")
        ? Optional.empty()
        : Optional.of(value);
  }
}
