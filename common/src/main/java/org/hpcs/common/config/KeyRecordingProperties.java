package org.hpcs.common.config;

import java.util.Collections;
import java.util.Properties;
import java.util.Set;
import java.util.TreeSet;

/**
 * Properties that remember every key a file sets more than once. {@link Properties#load} keeps the
 * last value without a word, so a config file with a key twice would silently use one of them.
 */
public final class KeyRecordingProperties extends Properties {
  private static final long serialVersionUID = 1L;

  private final Set<String> repeated = new TreeSet<>();

  @Override
  public synchronized Object put(Object key, Object value) {
    Object previous = super.put(key, value);
    if (previous != null) {
      repeated.add(String.valueOf(key));
    }
    return previous;
  }

  /** Returns the keys set more than once, sorted. */
  public synchronized Set<String> repeatedKeys() {
    return Collections.unmodifiableSet(new TreeSet<>(repeated));
  }
}
