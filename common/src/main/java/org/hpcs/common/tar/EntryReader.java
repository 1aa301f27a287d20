package org.hpcs.common.tar;

import java.io.BufferedOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.FileAlreadyExistsException;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.nio.file.attribute.PosixFilePermission;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import org.apache.commons.compress.archivers.tar.TarArchiveEntry;
import org.apache.commons.compress.archivers.tar.TarArchiveInputStream;

/** Reads the entries of one archive and creates them below the extraction directory. */
final class EntryReader {
  private static final int WRITE_BUFFER = 1 << 20;

  private final HeaderBudgetStream counted;
  private final TarArchiveInputStream tar;
  private final Path root;
  private final TarLimits limits;
  private final List<CreatedLink> links = new ArrayList<>();
  private String previousName = "";

  /** A symbolic link created by an entry, checked again once every entry exists. */
  private record CreatedLink(Path path, String name, String target) {}

  EntryReader(InputStream in, Path root, TarLimits limits) {
    this.counted = new HeaderBudgetStream(in);
    this.tar = new TarArchiveInputStream(counted);
    this.root = root;
    this.limits = limits;
  }

  /** Creates every entry, then checks that no link resolves outside through a later entry. */
  TarExtractor.Result extractAll() throws TarException, IOException {
    long files = 0;
    long bytes = 0;
    TarArchiveEntry entry;
    while ((entry = nextEntry()) != null) {
      if (files == limits.maxEntries()) {
        throw new TarException(
            "tar archive has more than %d entries; split the dataset into several bundles"
                .formatted(limits.maxEntries()));
      }
      bytes += extractEntry(entry);
      files++;
      previousName = entry.getName();
    }
    for (CreatedLink link : links) {
      EntryPaths.checkSymlinkTarget(root, link.path(), link.name(), link.target());
    }
    return new TarExtractor.Result(files, bytes);
  }

  private TarArchiveEntry nextEntry() throws TarException, IOException {
    counted.arm(limits.maxHeaderBytes());
    TarArchiveEntry entry;
    try {
      entry = tar.getNextEntry();
    } catch (HeaderBudgetStream.HeaderTooLargeException e) {
      String where =
          previousName.isEmpty()
              ? "of the first entry"
              : "after entry \"%s\"".formatted(previousName);
      throw new TarException(
          ("tar header %s is larger than %d bytes (a huge long name or pax record); bundles do"
                  + " not need such headers, so create the archive again")
              .formatted(where, limits.maxHeaderBytes()),
          e);
    } catch (IllegalArgumentException e) {
      throw new TarException("malformed tar header: " + e.getMessage(), e);
    } finally {
      counted.disarm();
    }
    if (entry != null) {
      checkNameLength(entry.getName());
      checkNameLength(entry.getLinkName());
    }
    return entry;
  }

  private void checkNameLength(String name) throws TarException {
    int length = name.getBytes(StandardCharsets.UTF_8).length;
    if (length > limits.maxNameBytes()) {
      throw new TarException(
          "tar entry name \"%s...\" is %d bytes, longer than the %d allowed; shorten the path"
              .formatted(
                  name.substring(0, Math.min(64, name.length())), length, limits.maxNameBytes()));
    }
  }

  private long extractEntry(TarArchiveEntry entry) throws TarException, IOException {
    String name = entry.getName();
    Path path = EntryPaths.resolve(root, name);
    checkType(entry, name);
    EntryPaths.checkNoLinkedParent(root, path, name);
    try {
      return create(entry, name, path);
    } catch (FileAlreadyExistsException e) {
      throw new TarException(
          ("tar entry \"%s\" names a path that an earlier entry already created (an archive"
                  + " appended to with tar -r, or a file and a directory of the same name);"
                  + " create the archive again from the directory")
              .formatted(name),
          e);
    }
  }

  private static void checkType(TarArchiveEntry entry, String name) throws TarException {
    if (entry.isCharacterDevice() || entry.isBlockDevice() || entry.isFIFO()) {
      throw new TarException(
          "unsafe tar entry \"%s\": device and FIFO entries are not allowed in bundles"
              .formatted(name));
    }
    if (entry.isSparse()) {
      throw new TarException(
          ("unsupported tar entry \"%s\": sparse files are not allowed in bundles, because a"
                  + " small archive could expand without bound; create the archive without"
                  + " --sparse")
              .formatted(name));
    }
  }

  private long create(TarArchiveEntry entry, String name, Path path)
      throws TarException, IOException {
    if (entry.isDirectory()) {
      createDirectories(path, name);
      return 0;
    }
    createDirectories(path.getParent(), name);
    if (entry.isSymbolicLink()) {
      String target = entry.getLinkName();
      EntryPaths.checkSymlinkTarget(root, path, name, target);
      Files.createSymbolicLink(path, Path.of(target));
      links.add(new CreatedLink(path, name, target));
      return 0;
    }
    if (entry.isLink()) {
      createHardLink(path, name, entry.getLinkName());
      return 0;
    }
    if (!entry.isFile()) {
      throw new TarException(
          "unsupported tar entry \"%s\": only files, directories and links are allowed"
              .formatted(name));
    }
    return writeFile(path, entry.getMode());
  }

  private void createDirectories(Path directory, String name) throws TarException, IOException {
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

  private void createHardLink(Path path, String name, String linkName)
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
  private long writeFile(Path path, int mode) throws IOException {
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
}
