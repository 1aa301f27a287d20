package org.hpcs.common.tar;

import java.io.BufferedOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.nio.file.DirectoryNotEmptyException;
import java.nio.file.FileAlreadyExistsException;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.nio.file.attribute.PosixFilePermission;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.Comparator;
import java.util.Set;
import java.util.stream.Stream;
import org.apache.commons.compress.archivers.tar.TarArchiveEntry;
import org.apache.commons.compress.archivers.tar.TarArchiveInputStream;

/**
 * Extracts a tar stream into an empty directory. Entries that would escape the directory (absolute
 * names, "..", links pointing out) and device or FIFO entries are rejected. On any failure the
 * directory is emptied again, and removed if this extractor created it.
 */
public final class TarExtractor {
  private static final int WRITE_BUFFER = 1 << 20;

  private TarExtractor() {}

  /** Summary of a finished extraction. */
  public record Result(long files, long bytes) {}

  /** A check run after the last entry; if it throws, the extraction is undone. */
  @FunctionalInterface
  public interface Completion {
    /** Checks the finished extraction, for example a digest of the whole stream. */
    void check() throws IOException;
  }

  /**
   * Extracts {@code in} into {@code target}, which must be missing or an empty directory.
   *
   * @throws TarException if an entry is unsafe or the archive is malformed
   * @throws IOException if reading the stream or writing a file fails
   */
  public static Result extract(InputStream in, Path target) throws TarException, IOException {
    return extract(in, target, () -> {});
  }

  /**
   * Extracts like {@link #extract(InputStream, Path)}, then runs {@code completion}; if it throws,
   * the extracted files are removed as on any other failure.
   */
  public static Result extract(InputStream in, Path target, Completion completion)
      throws TarException, IOException {
    Path root = target.toAbsolutePath().normalize();
    boolean created = prepare(root);
    boolean done = false;
    try {
      Result result = extractEntries(in, root);
      completion.check();
      done = true;
      return result;
    } finally {
      if (!done) {
        removeExtracted(root, created);
      }
    }
  }

  private static boolean prepare(Path root) throws IOException {
    if (Files.notExists(root, LinkOption.NOFOLLOW_LINKS)) {
      Files.createDirectories(root);
      return true;
    }
    if (!Files.isDirectory(root, LinkOption.NOFOLLOW_LINKS)) {
      throw new FileAlreadyExistsException(root.toString(), null, "not a directory");
    }
    try (Stream<Path> entries = Files.list(root)) {
      if (entries.findAny().isPresent()) {
        throw new DirectoryNotEmptyException(root.toString());
      }
    }
    return false;
  }

  private static Result extractEntries(InputStream in, Path root) throws TarException, IOException {
    long files = 0;
    long bytes = 0;
    TarArchiveInputStream tar = new TarArchiveInputStream(in);
    TarArchiveEntry entry;
    while ((entry = nextEntry(tar)) != null) {
      bytes += extractEntry(tar, entry, root);
      files++;
    }
    return new Result(files, bytes);
  }

  private static TarArchiveEntry nextEntry(TarArchiveInputStream tar)
      throws TarException, IOException {
    try {
      return tar.getNextEntry();
    } catch (IllegalArgumentException e) {
      throw new TarException("malformed tar header: " + e.getMessage(), e);
    }
  }

  private static long extractEntry(TarArchiveInputStream tar, TarArchiveEntry entry, Path root)
      throws TarException, IOException {
    String name = entry.getName();
    Path path = EntryPaths.resolve(root, name);
    if (entry.isCharacterDevice() || entry.isBlockDevice() || entry.isFIFO()) {
      throw new TarException(
          "unsafe tar entry \"%s\": device and FIFO entries are not allowed in bundles"
              .formatted(name));
    }
    EntryPaths.checkNoLinkedParent(root, path, name);
    if (entry.isDirectory()) {
      createDirectories(root, path, name);
      return 0;
    }
    createDirectories(root, path.getParent(), name);
    if (entry.isSymbolicLink()) {
      EntryPaths.checkSymlinkTarget(root, path, name, entry.getLinkName());
      Files.createSymbolicLink(path, Path.of(entry.getLinkName()));
      return 0;
    }
    if (entry.isLink()) {
      createHardLink(root, path, name, entry.getLinkName());
      return 0;
    }
    if (!entry.isFile()) {
      throw new TarException(
          "unsupported tar entry \"%s\": only files, directories and links are allowed"
              .formatted(name));
    }
    return writeFile(tar, path, entry.getMode());
  }

  private static void createDirectories(Path root, Path directory, String name)
      throws TarException, IOException {
    if (directory.equals(root)) {
      return;
    }
    EntryPaths.checkNoLinkedParent(root, directory, name);
    if (Files.isSymbolicLink(directory)) {
      throw new TarException(
          "unsafe tar entry \"%s\": directory %s is a symbolic link"
              .formatted(name, root.relativize(directory)));
    }
    Files.createDirectories(directory);
  }

  private static void createHardLink(Path root, Path path, String name, String linkName)
      throws TarException, IOException {
    Path existing = EntryPaths.resolve(root, linkName);
    EntryPaths.checkNoLinkedParent(root, existing, name);
    if (!Files.isRegularFile(existing, LinkOption.NOFOLLOW_LINKS)) {
      throw new TarException(
          "unsafe tar entry \"%s\": hard link to \"%s\" must name a regular file extracted earlier"
              .formatted(name, linkName));
    }
    Files.createLink(path, existing);
  }

  /**
   * Writes one file through a 1 MiB buffer, so that a FUSE file system such as gocryptfs receives
   * large writes (the kernel splits each into requests of up to 128 KiB) instead of one request per
   * 16 KiB read from the tar stream.
   */
  private static long writeFile(InputStream tar, Path path, int mode) throws IOException {
    try (OutputStream out =
        new BufferedOutputStream(
            Files.newOutputStream(
                path,
                StandardOpenOption.CREATE_NEW,
                StandardOpenOption.WRITE,
                LinkOption.NOFOLLOW_LINKS),
            WRITE_BUFFER)) {
      long size = tar.transferTo(out);
      Files.setPosixFilePermissions(path, permissions(mode));
      return size;
    }
  }

  /** Keeps the read/write/execute bits only; set-id and sticky bits are dropped. */
  static Set<PosixFilePermission> permissions(int mode) {
    String letters = "rwxrwxrwx";
    StringBuilder text = new StringBuilder();
    for (int i = 0; i < letters.length(); i++) {
      boolean set = (mode & (1 << (8 - i))) != 0;
      text.append(set ? letters.charAt(i) : '-');
    }
    text.replace(0, 2, "rw");
    return PosixFilePermissions.fromString(text.toString());
  }

  private static void removeExtracted(Path root, boolean removeRoot) {
    try (Stream<Path> walk = Files.walk(root)) {
      walk.sorted(Comparator.reverseOrder())
          .filter(p -> removeRoot || !p.equals(root))
          .forEach(TarExtractor::deleteQuietly);
    } catch (IOException e) {
      // The original failure matters more; leftover files are reported by the caller's check.
    }
  }

  private static void deleteQuietly(Path path) {
    try {
      Files.deleteIfExists(path);
    } catch (IOException e) {
      // Best effort: a file that cannot be deleted stays, and the next extraction fails on it.
    }
  }
}
