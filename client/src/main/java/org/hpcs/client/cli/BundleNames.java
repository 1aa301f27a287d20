package org.hpcs.client.cli;

import java.nio.file.Path;
import org.hpcs.client.HpcsException;

/** Bundle name rules: the stem of {@code <name>.age} and {@code <name>.manifest.json}. */
final class BundleNames {
  private BundleNames() {}

  static String stem(Path input) {
    Path fileName = input.toAbsolutePath().normalize().getFileName();
    String text = fileName == null ? "bundle" : fileName.toString();
    int dot = text.lastIndexOf('.');
    return dot > 0 ? text.substring(0, dot) : text;
  }

  static String check(String name) throws HpcsException {
    if (!name.matches("[A-Za-z0-9][A-Za-z0-9._-]{0,127}")) {
      throw new HpcsException(
          "invalid bundle name \"%s\"".formatted(name),
          "use letters, digits, '.', '_' and '-' (at most 128), starting with a letter or digit;"
              + " pass --name");
    }
    return name;
  }

  /** Returns the manifest path for a bundle argument: a manifest, an .age file or a stem. */
  static Path manifestFor(Path argument) {
    String text = argument.toString();
    if (text.endsWith(".manifest.json")) {
      return argument;
    }
    String stem = text.endsWith(".age") ? text.substring(0, text.length() - 4) : text;
    return Path.of(stem + ".manifest.json");
  }
}
