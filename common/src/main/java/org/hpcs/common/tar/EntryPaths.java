package org.hpcs.common.tar;

import java.nio.file.Files;
import java.nio.file.Path;

/** Checks that archive entry names and link targets stay inside the extraction directory. */
final class EntryPaths {
  private EntryPaths() {}

  /**
   * Resolves an entry name below {@code root}.
   *
   * @throws TarException if the name is empty, absolute or has a ".." component
   */
  static Path resolve(Path root, String name) throws TarException {
    String trimmed = name.endsWith("/") ? name.substring(0, name.length() - 1) : name;
    if (trimmed.isEmpty() || trimmed.equals(".")) {
      return root;
    }
    if (trimmed.startsWith("/")) {
      throw new TarException(
          "unsafe tar entry \"%s\": absolute paths are not allowed; archives must hold relative names"
              .formatted(name));
    }
    for (String part : trimmed.split("/", -1)) {
      if (part.equals("..")) {
        throw new TarException(
            "unsafe tar entry \"%s\": \"..\" would escape the extraction directory"
                .formatted(name));
      }
      if (part.indexOf('\0') >= 0) {
        throw new TarException("unsafe tar entry \"%s\": NUL character in name".formatted(name));
      }
    }
    Path resolved = root.resolve(trimmed).normalize();
    if (!resolved.startsWith(root)) {
      throw new TarException(
          "unsafe tar entry \"%s\": it resolves outside the extraction directory".formatted(name));
    }
    return resolved;
  }

  /**
   * Checks that a symbolic link at {@code link} whose text is {@code target} points inside {@code
   * root}.
   */
  static void checkSymlinkTarget(Path root, Path link, String name, String target)
      throws TarException {
    if (target.isEmpty() || target.startsWith("/")) {
      throw new TarException(
          "unsafe tar entry \"%s\": symbolic link to \"%s\" points outside the extraction directory; only relative links inside it are allowed"
              .formatted(name, target));
    }
    Path resolved = link.getParent().resolve(target).normalize();
    if (!resolved.startsWith(root)) {
      throw new TarException(
          "unsafe tar entry \"%s\": symbolic link to \"%s\" points outside the extraction directory"
              .formatted(name, target));
    }
  }

  /**
   * Checks that no directory between {@code root} and {@code path} is a symbolic link, so that a
   * write cannot be redirected through a link that an earlier entry created.
   */
  static void checkNoLinkedParent(Path root, Path path, String name) throws TarException {
    Path current = root;
    for (Path part : root.relativize(path.getParent() == null ? root : path.getParent())) {
      current = current.resolve(part);
      if (Files.isSymbolicLink(current)) {
        throw new TarException(
            "unsafe tar entry \"%s\": its parent %s is a symbolic link; archives may not write through links"
                .formatted(name, root.relativize(current)));
      }
    }
  }
}
