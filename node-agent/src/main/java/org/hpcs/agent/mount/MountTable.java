package org.hpcs.agent.mount;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Optional;

/**
 * The mount table of the calling process, read from {@code /proc/self/mountinfo} (format in
 * proc(5)). The kernel escapes space, tab, newline and backslash in paths as {@code \040}, {@code
 * \011}, {@code \012} and {@code \134}; this class decodes them.
 */
public final class MountTable {
  private static final Path MOUNTINFO = Path.of("/proc/self/mountinfo");

  private final List<MountEntry> entries;

  private MountTable(List<MountEntry> entries) {
    this.entries = List.copyOf(entries);
  }

  /**
   * Reads the mount table of this process.
   *
   * @throws MountException if {@code /proc/self/mountinfo} cannot be read or parsed
   */
  public static MountTable read() throws MountException {
    try {
      return parse(Files.readString(MOUNTINFO, StandardCharsets.UTF_8));
    } catch (IOException e) {
      throw new MountException(
          "Cannot read " + MOUNTINFO + ": " + e.getMessage() + "; is /proc mounted?", e);
    }
  }

  /**
   * Parses the text of a {@code mountinfo} file.
   *
   * @throws MountException if a line does not have the mountinfo layout
   */
  public static MountTable parse(String text) throws MountException {
    List<MountEntry> parsed = new ArrayList<>();
    int lineNumber = 0;
    for (String line : text.split("\n", -1)) {
      lineNumber++;
      if (!line.isBlank()) {
        parsed.add(parseLine(line, lineNumber));
      }
    }
    return new MountTable(parsed);
  }

  /** Returns every entry in table order. */
  public List<MountEntry> entries() {
    return entries;
  }

  /** Returns the topmost mount attached at exactly {@code mountPoint}, if any. */
  public Optional<MountEntry> at(Path mountPoint) {
    Path target = mountPoint.toAbsolutePath().normalize();
    MountEntry found = null;
    for (MountEntry entry : entries) {
      if (entry.mountPoint().equals(target)) {
        found = entry;
      }
    }
    return Optional.ofNullable(found);
  }

  /**
   * Returns the mounts attached at {@code dir} or below it, deepest first, so that unmounting in
   * list order never meets a mount that still has mounts on top of it.
   */
  public List<MountEntry> under(Path dir) {
    Path base = dir.toAbsolutePath().normalize();
    List<MountEntry> found = new ArrayList<>();
    for (MountEntry entry : entries) {
      if (entry.mountPoint().startsWith(base)) {
        found.add(entry);
      }
    }
    found.sort(
        Comparator.comparingInt((MountEntry e) -> e.mountPoint().getNameCount())
            .thenComparingInt(MountEntry::mountId)
            .reversed());
    return found;
  }

  private static MountEntry parseLine(String line, int lineNumber) throws MountException {
    String[] fields = line.split(" ", -1);
    int separator = indexOfSeparator(fields);
    if (fields.length < 10 || separator < 6 || fields.length < separator + 4) {
      throw invalid(line, lineNumber, "expected at least 10 fields with a '-' separator");
    }
    try {
      String[] device = fields[2].split(":", 2);
      return new MountEntry(
          Integer.parseInt(fields[0]),
          Integer.parseInt(fields[1]),
          Integer.parseInt(device[0]),
          Integer.parseInt(device[1]),
          unescape(fields[3]),
          Path.of(unescape(fields[4])),
          fields[5],
          unescape(fields[separator + 1]),
          unescape(fields[separator + 2]),
          fields[separator + 3]);
    } catch (NumberFormatException | ArrayIndexOutOfBoundsException e) {
      throw invalid(line, lineNumber, "mount id, parent id or major:minor is not numeric");
    }
  }

  private static int indexOfSeparator(String[] fields) {
    for (int i = 6; i < fields.length; i++) {
      if (fields[i].equals("-")) {
        return i;
      }
    }
    return -1;
  }

  private static MountException invalid(String line, int lineNumber, String reason) {
    return new MountException(
        "Invalid mountinfo line " + lineNumber + " (" + reason + "): " + line);
  }

  /** Decodes the kernel's three-digit octal escapes ({@code \040} is a space). */
  static String unescape(String field) {
    if (field.indexOf('\\') < 0) {
      return field;
    }
    StringBuilder out = new StringBuilder(field.length());
    int i = 0;
    while (i < field.length()) {
      char c = field.charAt(i);
      if (c == '\\' && isOctal(field, i + 1)) {
        out.append((char) Integer.parseInt(field.substring(i + 1, i + 4), 8));
        i += 4;
      } else {
        out.append(c);
        i++;
      }
    }
    return out.toString();
  }

  private static boolean isOctal(String field, int start) {
    if (start + 3 > field.length()) {
      return false;
    }
    for (int i = start; i < start + 3; i++) {
      char c = field.charAt(i);
      if (c < '0' || c > '7') {
        return false;
      }
    }
    return true;
  }
}
