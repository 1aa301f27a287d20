package org.hpcs.agent.secure;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.FileVisitResult;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.nio.file.SimpleFileVisitor;
import java.nio.file.attribute.BasicFileAttributes;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.concurrent.TimeUnit;
import org.hpcs.agent.mount.MountEntry;
import org.hpcs.agent.mount.MountTable;

/**
 * Searches the node's disk file systems for secret byte strings: every regular file below the
 * roots, not following symbolic links and not entering FUSE mounts (where plaintext may live). The
 * search is a raw byte search with {@code grep -F}: nothing is decoded. Needles must not contain a
 * line feed or NUL, because grep reads its patterns one per line; the pattern and file lists live
 * in {@code /dev/shm}, which is memory and outside the scanned roots.
 */
final class DiskScan {
  private DiskScan() {}

  /** Returns "<file> contains <needle name>" for every hit. */
  static List<String> find(List<Path> roots, Map<String, byte[]> needles) throws Exception {
    Set<Path> fuse = new TreeSet<>();
    for (MountEntry entry : MountTable.read().entries()) {
      if (entry.isFuse()) {
        fuse.add(entry.mountPoint());
      }
    }
    List<Path> files = new ArrayList<>();
    for (Path root : roots) {
      if (Files.isDirectory(root, LinkOption.NOFOLLOW_LINKS)) {
        collect(root, fuse, files);
      }
    }
    List<String> hits = new ArrayList<>();
    for (Path file : grep(files, needles.values())) {
      byte[] content = Files.readAllBytes(file);
      for (Map.Entry<String, byte[]> needle : needles.entrySet()) {
        if (indexOf(content, needle.getValue()) >= 0) {
          hits.add(file + " contains " + needle.getKey());
        }
      }
    }
    return hits;
  }

  /** Returns the needles with names, checking that grep can take each as one pattern. */
  static Map<String, byte[]> needles(Map<String, byte[]> named) {
    for (Map.Entry<String, byte[]> needle : named.entrySet()) {
      for (byte b : needle.getValue()) {
        if (b == '\n' || b == 0) {
          throw new IllegalArgumentException(needle.getKey() + " contains a line feed or NUL");
        }
      }
    }
    return new LinkedHashMap<>(named);
  }

  private static void collect(Path root, Set<Path> fuse, List<Path> files) throws IOException {
    Files.walkFileTree(
        root,
        new SimpleFileVisitor<>() {
          @Override
          public FileVisitResult preVisitDirectory(Path dir, BasicFileAttributes attrs) {
            return fuse.contains(dir) ? FileVisitResult.SKIP_SUBTREE : FileVisitResult.CONTINUE;
          }

          @Override
          public FileVisitResult visitFile(Path file, BasicFileAttributes attrs) {
            if (attrs.isRegularFile()) {
              files.add(file);
            }
            return FileVisitResult.CONTINUE;
          }

          @Override
          public FileVisitResult visitFileFailed(Path file, IOException e) {
            return FileVisitResult.CONTINUE;
          }
        });
  }

  private static List<Path> grep(List<Path> files, Iterable<byte[]> needles) throws Exception {
    Path work =
        Files.createTempDirectory(
            Path.of("/dev/shm"),
            "hpcs-scan-",
            PosixFilePermissions.asFileAttribute(PosixFilePermissions.fromString("rwx------")));
    try {
      Path patterns = work.resolve("patterns");
      try (var out = Files.newOutputStream(patterns)) {
        for (byte[] needle : needles) {
          out.write(needle);
          out.write('\n');
        }
      }
      Path list = work.resolve("files");
      try (var out = Files.newOutputStream(list)) {
        for (Path file : files) {
          out.write(file.toString().getBytes(StandardCharsets.UTF_8));
          out.write(0);
        }
      }
      Process grep =
          new ProcessBuilder(
                  "xargs",
                  "-0",
                  "-a",
                  list.toString(),
                  "grep",
                  "-l",
                  "-s",
                  "-a",
                  "-F",
                  "-f",
                  patterns.toString(),
                  "--")
              .redirectError(ProcessBuilder.Redirect.DISCARD)
              .start();
      grep.getOutputStream().close();
      String output = new String(grep.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
      if (!grep.waitFor(10, TimeUnit.MINUTES)) {
        grep.destroyForcibly();
        throw new IOException("the disk scan did not finish in ten minutes");
      }
      return output.lines().filter(l -> !l.isEmpty()).map(Path::of).toList();
    } finally {
      try (var entries = Files.list(work)) {
        for (Path entry : entries.toList()) {
          Files.delete(entry);
        }
      }
      Files.delete(work);
    }
  }

  static int indexOf(byte[] haystack, byte[] needle) {
    outer:
    for (int i = 0; i <= haystack.length - needle.length; i++) {
      for (int j = 0; j < needle.length; j++) {
        if (haystack[i + j] != needle[j]) {
          continue outer;
        }
      }
      return i;
    }
    return -1;
  }

  static String hex(byte[] bytes) {
    return HexFormat.of().formatHex(bytes);
  }
}
