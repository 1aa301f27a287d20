package org.hpcs.common.tar;

import java.io.IOException;
import java.io.InputStream;
import java.nio.file.DirectoryNotEmptyException;
import java.nio.file.FileAlreadyExistsException;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.util.Comparator;
import java.util.stream.Stream;

/**
 * Extracts a tar stream into an empty directory. Entries that would escape the directory (absolute
 * names, "..", links that resolve outside, also through other links), device, FIFO and sparse
 * entries, repeated names, and archives beyond {@link TarLimits} are rejected. On any failure the
 * directory is emptied again, and removed if this extractor created it.
 */
public final class TarExtractor {

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
    return extract(in, target, TarLimits.DEFAULT, completion);
  }

  /**
   * Extracts like {@link #extract(InputStream, Path, Completion)} within {@code limits}.
   *
   * @throws TarException also if the archive has more entries, longer names or larger headers than
   *     {@code limits} allow
   */
  public static Result extract(InputStream in, Path target, TarLimits limits, Completion completion)
      throws TarException, IOException {
    Path root = target.toAbsolutePath().normalize();
    boolean created = prepare(root);
    boolean done = false;
    try {
      Result result = new EntryReader(in, root, limits).extractAll();
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
