package org.hpcs.common.tar;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.nio.file.FileVisitResult;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.nio.file.SimpleFileVisitor;
import java.nio.file.attribute.BasicFileAttributes;
import java.nio.file.attribute.PosixFilePermission;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.function.Consumer;
import org.apache.commons.compress.archivers.tar.TarArchiveEntry;
import org.apache.commons.compress.archivers.tar.TarArchiveOutputStream;
import org.apache.commons.compress.archivers.tar.TarConstants;

/**
 * Writes a directory tree or a single file as a POSIX tar stream. Entry names are relative to the
 * directory (a single file is stored under its own name). Owners are not recorded. Symbolic links
 * are stored as links only when they point inside the tree; sockets, devices and FIFOs are
 * rejected, so that every archive written here extracts with {@link TarExtractor}.
 */
public final class TarWriter {
  private TarWriter() {}

  /**
   * Writes {@code source} as tar to {@code out}, finishing the archive but leaving {@code out}
   * open.
   *
   * @throws TarException if the tree contains a link pointing out of it or a special file
   */
  public static void write(Path source, OutputStream out) throws TarException, IOException {
    Path root = source.toAbsolutePath().normalize();
    TarArchiveOutputStream tar = new TarArchiveOutputStream(new NonClosingStream(out));
    tar.setLongFileMode(TarArchiveOutputStream.LONGFILE_POSIX);
    tar.setBigNumberMode(TarArchiveOutputStream.BIGNUMBER_POSIX);
    if (Files.isDirectory(root, LinkOption.NOFOLLOW_LINKS)) {
      for (Path path : listTree(root)) {
        addEntry(tar, root, path, root.relativize(path).toString());
      }
    } else if (Files.isRegularFile(root, LinkOption.NOFOLLOW_LINKS)) {
      addEntry(tar, root.getParent(), root, root.getFileName().toString());
    } else {
      throw new TarException(
          "%s is neither a regular file nor a directory; pass a dataset file or directory"
              .formatted(source));
    }
    tar.finish();
    tar.close();
  }

  /**
   * Writes the directory {@code dir} as tar to {@code out} below the top-level directory entry
   * {@code prefix/}, finishing the archive but leaving {@code out} open. Entries that {@link
   * #write} rejects (links pointing out of the tree, sockets, devices, FIFOs) are left out and
   * reported to {@code skipped} with the reason, so one stray entry does not lose the rest.
   *
   * @param prefix a relative directory name without {@code /}, such as a node name
   * @throws TarException if {@code dir} is not a directory or {@code prefix} is not a plain name
   */
  public static void writeDirectory(
      Path dir, String prefix, OutputStream out, Consumer<String> skipped)
      throws TarException, IOException {
    if (prefix.isEmpty() || prefix.contains("/") || prefix.equals(".") || prefix.equals("..")) {
      throw new TarException("tar prefix \"%s\" is not a plain directory name".formatted(prefix));
    }
    Path root = dir.toAbsolutePath().normalize();
    // Reading the attributes reports why a directory is unreachable (permission denied, missing)
    // instead of calling it "not a directory".
    if (!Files.readAttributes(root, BasicFileAttributes.class, LinkOption.NOFOLLOW_LINKS)
        .isDirectory()) {
      throw new TarException("%s is not a directory".formatted(dir));
    }
    TarArchiveOutputStream tar = new TarArchiveOutputStream(new NonClosingStream(out));
    tar.setLongFileMode(TarArchiveOutputStream.LONGFILE_POSIX);
    tar.setBigNumberMode(TarArchiveOutputStream.BIGNUMBER_POSIX);
    putEntry(tar, new TarArchiveEntry(prefix + "/"), root);
    tar.closeArchiveEntry();
    for (Path path : listTree(root)) {
      String name = prefix + "/" + root.relativize(path);
      try {
        addEntry(tar, root, path, name);
      } catch (TarException e) {
        skipped.accept(e.getMessage());
      }
    }
    tar.finish();
    tar.close();
  }

  private static List<Path> listTree(Path root) throws IOException {
    List<Path> paths = new ArrayList<>();
    Files.walkFileTree(
        root,
        new SimpleFileVisitor<>() {
          @Override
          public FileVisitResult preVisitDirectory(Path dir, BasicFileAttributes attrs) {
            if (!dir.equals(root)) {
              paths.add(dir);
            }
            return FileVisitResult.CONTINUE;
          }

          @Override
          public FileVisitResult visitFile(Path file, BasicFileAttributes attrs) {
            paths.add(file);
            return FileVisitResult.CONTINUE;
          }
        });
    paths.sort(null);
    return paths;
  }

  private static void addEntry(TarArchiveOutputStream tar, Path root, Path path, String name)
      throws TarException, IOException {
    if (Files.isSymbolicLink(path)) {
      String target = Files.readSymbolicLink(path).toString();
      EntryPaths.checkSymlinkTarget(root, path, name, target);
      TarArchiveEntry entry = new TarArchiveEntry(name, TarConstants.LF_SYMLINK);
      entry.setLinkName(target);
      putEntry(tar, entry, path);
    } else if (Files.isDirectory(path, LinkOption.NOFOLLOW_LINKS)) {
      putEntry(tar, new TarArchiveEntry(name + "/"), path);
    } else if (Files.isRegularFile(path, LinkOption.NOFOLLOW_LINKS)) {
      TarArchiveEntry entry = new TarArchiveEntry(name);
      entry.setSize(Files.size(path));
      putEntry(tar, entry, path);
      try (InputStream in = Files.newInputStream(path, LinkOption.NOFOLLOW_LINKS)) {
        in.transferTo(tar);
      }
      tar.closeArchiveEntry();
      return;
    } else {
      throw new TarException(
          "cannot add %s to a data bundle: sockets, devices and FIFOs are not allowed; remove it"
              .formatted(path));
    }
    tar.closeArchiveEntry();
  }

  private static void putEntry(TarArchiveOutputStream tar, TarArchiveEntry entry, Path path)
      throws IOException {
    entry.setModTime(Files.getLastModifiedTime(path, LinkOption.NOFOLLOW_LINKS));
    if (!entry.isSymbolicLink()) {
      entry.setMode(
          modeBits(Files.getPosixFilePermissions(path, LinkOption.NOFOLLOW_LINKS), entry));
    }
    entry.setUserName("");
    entry.setGroupName("");
    tar.putArchiveEntry(entry);
  }

  private static int modeBits(Set<PosixFilePermission> permissions, TarArchiveEntry entry) {
    String text = PosixFilePermissions.toString(permissions);
    int bits = 0;
    for (int i = 0; i < text.length(); i++) {
      bits = (bits << 1) | (text.charAt(i) == '-' ? 0 : 1);
    }
    int type =
        entry.isDirectory() ? TarArchiveEntry.DEFAULT_DIR_MODE : TarArchiveEntry.DEFAULT_FILE_MODE;
    return (type & ~0777) | bits;
  }

  /** Lets the tar stream be closed (which pads it) without closing the caller's stream. */
  private static final class NonClosingStream extends java.io.FilterOutputStream {
    NonClosingStream(OutputStream out) {
      super(out);
    }

    @Override
    public void write(byte[] bytes, int offset, int length) throws IOException {
      out.write(bytes, offset, length);
    }

    @Override
    public void close() throws IOException {
      flush();
    }
  }
}
