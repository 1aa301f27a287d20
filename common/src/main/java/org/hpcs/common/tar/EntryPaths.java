package org.hpcs.common.tar;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;

/** Checks that archive entry names and link targets stay inside the extraction directory. */
final class EntryPaths {
  /** The number of nested links Linux follows before it fails with ELOOP. */
  private static final int MAX_LINK_DEPTH = 40;

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
   * root}. The target is resolved the way the kernel resolves it, following links that already
   * exist below {@code root}, and no step may climb above {@code root}: a lexical check alone would
   * pass {@code up/..} where {@code up} links to {@code root}, and {@code ../<root name>/x}, which
   * leaves the directory once it is mounted under another name.
   *
   * @throws TarException if the target is absolute, climbs above {@code root}, or loops
   * @throws IOException if an existing link cannot be read
   */
  static void checkSymlinkTarget(Path root, Path link, String name, String target)
      throws TarException, IOException {
    resolveLink(root, link.getParent(), target, name, target, 0);
  }

  private static Path resolveLink(
      Path root, Path directory, String text, String name, String target, int depth)
      throws TarException, IOException {
    if (depth > MAX_LINK_DEPTH) {
      throw new TarException(
          "unsafe tar entry \"%s\": symbolic link to \"%s\" has too many levels of symbolic links; remove the loop from the dataset"
              .formatted(name, target));
    }
    if (text.isEmpty() || text.startsWith("/") || text.indexOf('\0') >= 0) {
      throw pointsOutside(name, target);
    }
    Path current = directory;
    for (String part : text.split("/", -1)) {
      if (part.isEmpty() || part.equals(".")) {
        continue;
      }
      if (part.equals("..")) {
        if (current.equals(root)) {
          throw pointsOutside(name, target);
        }
        current = current.getParent();
        continue;
      }
      current = current.resolve(part);
      if (Files.isSymbolicLink(current)) {
        String next = Files.readSymbolicLink(current).toString();
        current = resolveLink(root, current.getParent(), next, name, target, depth + 1);
      }
    }
    return current;
  }

  private static TarException pointsOutside(String name, String target) {
    return new TarException(
        "unsafe tar entry \"%s\": symbolic link to \"%s\" points outside the extraction directory; only relative links that stay inside it are allowed"
            .formatted(name, target));
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
