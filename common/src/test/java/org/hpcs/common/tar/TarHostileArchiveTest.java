package org.hpcs.common.tar;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.DirectoryNotEmptyException;
import java.nio.file.FileAlreadyExistsException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.apache.commons.compress.archivers.tar.TarArchiveEntry;
import org.apache.commons.compress.archivers.tar.TarArchiveOutputStream;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Archives made with GNU tar or commons-compress that try to escape through link chains, expand far
 * beyond their size, exhaust memory with huge headers or overwrite earlier entries.
 */
class TarHostileArchiveTest {
  @TempDir Path dir;
  private Path source;
  private Path target;

  @BeforeEach
  void setUp() throws IOException {
    source = Files.createDirectories(dir.resolve("source"));
    target = dir.resolve("job/input");
  }

  @Test
  void extract_symlinkThroughInsideLink_rejected() throws Exception {
    Files.createDirectories(source.resolve("a/b"));
    Files.createSymbolicLink(source.resolve("a/b/up"), Path.of("../.."));
    Files.createSymbolicLink(source.resolve("a/b/esc"), Path.of("up/.."));
    Path tar = gnuTar("chain.tar", "-cf", "chain.tar", "-C", source.toString(), "a");

    assertThatThrownBy(() -> extract(tar))
        .isInstanceOf(TarException.class)
        .hasMessageContaining("\"a/b/esc\"")
        .hasMessageContaining("points outside");
    assertThat(target).doesNotExist();
  }

  @Test
  void extract_symlinkLeavingAndReenteringRoot_rejected() throws Exception {
    Files.writeString(source.resolve("secret"), "data");
    Files.createSymbolicLink(source.resolve("l"), Path.of("../input/secret"));
    Path tar = gnuTar("reenter.tar", "-cf", "reenter.tar", "-C", source.toString(), "secret", "l");

    assertThatThrownBy(() -> extract(tar))
        .isInstanceOf(TarException.class)
        .hasMessageContaining("\"l\"")
        .hasMessageContaining("points outside");
    assertThat(target).doesNotExist();
  }

  @Test
  void extract_symlinkChainStayingInside_kept() throws Exception {
    Files.createDirectories(source.resolve("a/b"));
    Files.writeString(source.resolve("a/data.txt"), "data");
    Files.createSymbolicLink(source.resolve("a/b/up"), Path.of("../.."));
    Files.createSymbolicLink(source.resolve("a/b/data"), Path.of("up/a/data.txt"));
    Path tar = gnuTar("inside.tar", "-cf", "inside.tar", "-C", source.toString(), "a");

    extract(tar);

    assertThat(target.resolve("a/b/data")).hasContent("data");
  }

  @Test
  void extract_symlinkLoop_rejected() throws Exception {
    Files.createSymbolicLink(source.resolve("one"), Path.of("two/x"));
    Files.createSymbolicLink(source.resolve("two"), Path.of("one/x"));
    Path tar = gnuTar("loop.tar", "-cf", "loop.tar", "-C", source.toString(), "one", "two");

    assertThatThrownBy(() -> extract(tar))
        .isInstanceOf(TarException.class)
        .hasMessageContaining("too many levels of symbolic links");
    assertThat(target).doesNotExist();
  }

  @Test
  void extract_gnuSparseFile_rejected() throws Exception {
    Path sparse = source.resolve("sparse.bin");
    try (var file = new java.io.RandomAccessFile(sparse.toFile(), "rw")) {
      file.setLength(1L << 30);
    }
    Path tar =
        gnuTar("sparse.tar", "-S", "-cf", "sparse.tar", "-C", source.toString(), "sparse.bin");

    assertThatThrownBy(() -> extract(tar))
        .isInstanceOf(TarException.class)
        .hasMessageContaining("\"sparse.bin\"")
        .hasMessageContaining("sparse");
    assertThat(target).doesNotExist();
  }

  @Test
  void extract_headerLargerThanLimit_rejected() throws Exception {
    byte[] tar = gnuLongNameArchive(2 << 20);

    assertThatThrownBy(() -> TarExtractor.extract(new ByteArrayInputStream(tar), target))
        .isInstanceOf(TarException.class)
        .hasMessageContaining("tar header of the first entry")
        .hasMessageContaining(String.valueOf(TarLimits.DEFAULT.maxHeaderBytes()));
    assertThat(target).doesNotExist();
  }

  @Test
  void extract_nameLongerThanLimit_rejected() throws Exception {
    byte[] tar = archive(TarArchiveOutputStream.LONGFILE_POSIX, List.of("d".repeat(5000)));

    assertThatThrownBy(() -> TarExtractor.extract(new ByteArrayInputStream(tar), target))
        .isInstanceOf(TarException.class)
        .hasMessageContaining("5000 bytes")
        .hasMessageContaining(String.valueOf(TarLimits.DEFAULT.maxNameBytes()));
    assertThat(target).doesNotExist();
  }

  @Test
  void extract_moreEntriesThanLimit_rejected() throws Exception {
    List<String> names = new ArrayList<>();
    for (int i = 0; i < 11; i++) {
      names.add("f" + i);
    }
    byte[] tar = archive(TarArchiveOutputStream.LONGFILE_POSIX, names);
    TarLimits limits = new TarLimits(10, 4096, 1 << 20);

    assertThatThrownBy(
            () -> TarExtractor.extract(new ByteArrayInputStream(tar), target, limits, () -> {}))
        .isInstanceOf(TarException.class)
        .hasMessageContaining("more than 10 entries");
    assertThat(target).doesNotExist();
  }

  @Test
  void extract_smallestHeaderBudget_extractsGnuArchive() throws Exception {
    Files.writeString(source.resolve("x"), "data");
    Path tar = gnuTar("one.tar", "-cf", "one.tar", "-C", source.toString(), "x");
    TarLimits limits = new TarLimits(10, 4096, TarLimits.MIN_HEADER_BYTES);

    try (InputStream in = Files.newInputStream(tar)) {
      TarExtractor.extract(in, target, limits, () -> {});
    }

    assertThat(target.resolve("x")).hasContent("data");
  }

  @Test
  void extract_entryAppendedTwice_rejectedAsRepeated() throws Exception {
    Files.writeString(source.resolve("x"), "one");
    Path tar = gnuTar("dup.tar", "-cf", "dup.tar", "-C", source.toString(), "x");
    Files.writeString(source.resolve("x"), "two");
    gnuTar("dup.tar", "-rf", "dup.tar", "-C", source.toString(), "x");

    assertThatThrownBy(() -> extract(tar))
        .isInstanceOf(TarException.class)
        .hasMessageContaining("\"x\"")
        .hasMessageContaining("already");
    assertThat(target).doesNotExist();
  }

  @Test
  void extract_fileReplacingDirectory_rejectedAsRepeated() throws Exception {
    Files.createDirectories(source.resolve("d"));
    Path tar = gnuTar("dirfile.tar", "-cf", "dirfile.tar", "-C", source.toString(), "d");
    Files.delete(source.resolve("d"));
    Files.writeString(source.resolve("d"), "file");
    gnuTar("dirfile.tar", "-rf", "dirfile.tar", "-C", source.toString(), "d");

    assertThatThrownBy(() -> extract(tar))
        .isInstanceOf(TarException.class)
        .hasMessageContaining("\"d\"")
        .hasMessageContaining("already");
    assertThat(target).doesNotExist();
  }

  @Test
  void extract_intoNonEmptyDirectory_rejectedExistingFileKept() throws Exception {
    Files.writeString(source.resolve("x"), "new");
    Path tar = gnuTar("one.tar", "-cf", "one.tar", "-C", source.toString(), "x");
    Files.createDirectories(target);
    Files.writeString(target.resolve("x"), "old");

    assertThatThrownBy(() -> extract(tar)).isInstanceOf(DirectoryNotEmptyException.class);
    assertThat(target.resolve("x")).hasContent("old");
    assertThat(TestTree.list(target)).containsExactly("x");
  }

  @Test
  void extract_intoSymlinkToDirectory_rejectedLinkTargetUntouched() throws Exception {
    Files.writeString(source.resolve("x"), "new");
    Path tar = gnuTar("one.tar", "-cf", "one.tar", "-C", source.toString(), "x");
    Path elsewhere = Files.createDirectories(dir.resolve("elsewhere"));
    Files.createDirectories(target.getParent());
    Files.createSymbolicLink(target, elsewhere);

    assertThatThrownBy(() -> extract(tar)).isInstanceOf(FileAlreadyExistsException.class);
    assertThat(TestTree.list(elsewhere)).isEmpty();
  }

  private void extract(Path tar) throws Exception {
    try (InputStream in = Files.newInputStream(tar)) {
      TarExtractor.extract(in, target);
    }
  }

  private Path gnuTar(String archive, String... arguments) throws Exception {
    List<String> command = new ArrayList<>(List.of("tar", "--format=gnu"));
    command.addAll(List.of(arguments));
    Process process =
        new ProcessBuilder(command).directory(dir.toFile()).redirectErrorStream(true).start();
    String output = new String(process.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
    if (!process.waitFor(60, TimeUnit.SECONDS) || process.exitValue() != 0) {
      throw new IOException(command + " failed: " + output);
    }
    return dir.resolve(archive);
  }

  /**
   * Returns a GNU archive whose one entry has a long-name record of {@code nameLength} bytes,
   * written by hand because commons-compress takes minutes to encode such a name.
   */
  private static byte[] gnuLongNameArchive(int nameLength) {
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    out.writeBytes(header("././@LongLink", 'L', nameLength + 1L));
    byte[] name = new byte[(nameLength + 1 + 511) / 512 * 512];
    Arrays.fill(name, 0, nameLength, (byte) 'n');
    out.writeBytes(name);
    out.writeBytes(header("short", '0', 0));
    out.writeBytes(new byte[1024]);
    return out.toByteArray();
  }

  private static byte[] header(String name, char type, long size) {
    byte[] header = new byte[512];
    put(header, 0, name);
    put(header, 100, "0000644\0");
    put(header, 108, "0000000\0");
    put(header, 116, "0000000\0");
    put(header, 124, "%011o\0".formatted(size));
    put(header, 136, "00000000000\0");
    header[156] = (byte) type;
    put(header, 257, "ustar  \0");
    Arrays.fill(header, 148, 156, (byte) ' ');
    int sum = 0;
    for (byte b : header) {
      sum += b & 0xff;
    }
    put(header, 148, "%06o\0 ".formatted(sum));
    return header;
  }

  private static void put(byte[] header, int offset, String text) {
    byte[] bytes = text.getBytes(StandardCharsets.US_ASCII);
    System.arraycopy(bytes, 0, header, offset, bytes.length);
  }

  private static byte[] archive(int longFileMode, List<String> names) throws IOException {
    ByteArrayOutputStream bytes = new ByteArrayOutputStream();
    try (TarArchiveOutputStream tar = new TarArchiveOutputStream(bytes)) {
      tar.setLongFileMode(longFileMode);
      for (String name : names) {
        TarArchiveEntry entry = new TarArchiveEntry(name, true);
        entry.setSize(2);
        tar.putArchiveEntry(entry);
        tar.write("hi".getBytes(StandardCharsets.US_ASCII));
        tar.closeArchiveEntry();
      }
    }
    return bytes.toByteArray();
  }
}
