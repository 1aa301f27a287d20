package org.hpcs.agent.protocol;

import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;

/**
 * One decoded protocol message: its fields in wire order, the version field {@code v} first.
 *
 * @param fields the fields, keys unique
 */
public record WireMessage(Map<String, String> fields) {
  /** Copies the fields, keeping their order. */
  public WireMessage {
    Objects.requireNonNull(fields, "fields must not be null");
    fields = Collections.unmodifiableMap(new LinkedHashMap<>(fields));
  }

  /** Returns the value of a field, if present. */
  public Optional<String> get(String key) {
    return Optional.ofNullable(fields.get(key));
  }
}
