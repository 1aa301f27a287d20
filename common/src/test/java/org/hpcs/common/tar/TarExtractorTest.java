package org.hpcs.common.tar;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import org.apache.commons.compress.archivers.tar.TarArchiveEntry;
import org.apache.commons.compress.archivers.tar.TarArchiveOutputStream;
import org.apache.commons.compress.archivers.tar.TarConstants;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class TarExtractorTest {
  @TempDir Path dir;
  private Path target;
  private Path outside;

  @BeforeEach
  void setUp() throws IOException {
    target = dir.resolve("job/input");
    outside = Files.createDirectories(dir.resolve("job/outside"));
  }

  @Test
  void extract_writerOutput_sameTree() throws Exception {
    Path source = Files.createDirectories(dir.resolve("dataset"));
    Files.writeString(source.resolve("a.txt"), "alpha");
    Files.createDirectories(source.resolve("sub/deeper"));
    Files.writeString(source.resolve("sub/deeper/b.bin"), "beta");
    Path script = Files.writeString(source.resolve("run.sh"), "#!/bin/sh\n");
    Files.setPosixFilePermissions(script, PosixFilePermissions.fromString("rwxr-x---"));
    Files.createSymbolicLink(source.resolve("sub/link"), Path.of("../a.txt"));
    ByteArrayOutputStream bytes = new ByteArrayOutputStream();
    TarWriter.write(source, bytes);

    TarExtractor.Result result =
        TarExtractor.extract(new ByteArrayInputStream(bytes.toByteArray()), target);

    assertThat(result.files()).isEqualTo(6);
    assertThat(target.resolve("a.txt")).hasContent("alpha");
    assertThat(target.resolve("sub/deeper/b.bin")).hasContent("beta");
    assertThat(Files.readSymbolicLink(target.resolve("sub/link"))).isEqualTo(Path.of("../a.txt"));
    assertThat(
            PosixFilePermissions.toString(Files.getPosixFilePermissions(target.resolve("run.sh"))))
        .isEqualTo("rwxr-x---");
  }

  @Test
  void extract_singleFile_storedUnderItsName() throws Exception {
    Path file = Files.writeString(dir.resolve("table.csv"), "x,y\n");
    ByteArrayOutputStream bytes = new ByteArrayOutputStream();
    TarWriter.write(file, bytes);

    TarExtractor.extract(new ByteArrayInputStream(bytes.toByteArray()), target);

    assertThat(target.resolve("table.csv")).hasContent("x,y\n");
  }

  @Test
  void extract_dotDotEntry_rejectedNothingOutside() throws Exception {
    byte[] tar = archive(file("good.txt"), file("../outside/x"));

    assertThatThrownBy(() -> TarExtractor.extract(new ByteArrayInputStream(tar), target))
        .isInstanceOf(TarException.class)
        .hasMessageContaining("unsafe tar entry \"../outside/x\"")
        .hasMessageContaining("\"..\"");
    assertNothingWritten();
  }

  @Test
  void extract_absoluteEntry_rejectedNothingOutside() throws Exception {
    String absolute = outside.resolve("x").toString();
    byte[] tar = archive(file("good.txt"), file(absolute));

    assertThatThrownBy(() -> TarExtractor.extract(new ByteArrayInputStream(tar), target))
        .isInstanceOf(TarException.class)
        .hasMessageContaining("absolute paths are not allowed");
    assertNothingWritten();
  }

  @Test
  void extract_etcEntry_rejected() throws Exception {
    byte[] tar = archive(file("/etc/hpcs-test-should-not-exist"));

    assertThatThrownBy(() -> TarExtractor.extract(new ByteArrayInputStream(tar), target))
        .isInstanceOf(TarException.class)
        .hasMessageContaining("\"/etc/hpcs-test-should-not-exist\"");
    assertThat(Path.of("/etc/hpcs-test-should-not-exist")).doesNotExist();
    assertNothingWritten();
  }

  @Test
  void extract_symlinkPointingOut_rejected() throws Exception {
    byte[] tar = archive(link("escape", "../outside", TarConstants.LF_SYMLINK), file("escape/x"));

    assertThatThrownBy(() -> TarExtractor.extract(new ByteArrayInputStream(tar), target))
        .isInstanceOf(TarException.class)
        .hasMessageContaining("symbolic link to \"../outside\" points outside");
    assertNothingWritten();
  }

  @Test
  void extract_absoluteSymlink_rejected() throws Exception {
    byte[] tar = archive(link("passwd", "/etc/passwd", TarConstants.LF_SYMLINK));

    assertThatThrownBy(() -> TarExtractor.extract(new ByteArrayInputStream(tar), target))
        .isInstanceOf(TarException.class)
        .hasMessageContaining("points outside");
    assertNothingWritten();
  }

  @Test
  void extract_writeThroughInsideSymlink_rejected() throws Exception {
    byte[] tar =
        archive(directory("sub/"), link("alias", "sub", TarConstants.LF_SYMLINK), file("alias/x"));

    assertThatThrownBy(() -> TarExtractor.extract(new ByteArrayInputStream(tar), target))
        .isInstanceOf(TarException.class)
        .hasMessageContaining("is a symbolic link");
    assertNothingWritten();
  }

  @Test
  void extract_hardLinkPointingOut_rejected() throws Exception {
    Files.writeString(outside.resolve("secret"), "secret");
    byte[] tar = archive(link("copy", "../outside/secret", TarConstants.LF_LINK));

    assertThatThrownBy(() -> TarExtractor.extract(new ByteArrayInputStream(tar), target))
        .isInstanceOf(TarException.class)
        .hasMessageContaining("\"..\"");
    assertThat(TestTree.list(outside)).containsExactly("secret");
    assertThat(target).doesNotExist();
  }

  @Test
  void extract_fifoEntry_rejected() throws Exception {
    TarArchiveEntry fifo = new TarArchiveEntry("pipe", TarConstants.LF_FIFO);
    byte[] tar = archive(file("good.txt"), fifo);

    assertThatThrownBy(() -> TarExtractor.extract(new ByteArrayInputStream(tar), target))
        .isInstanceOf(TarException.class)
        .hasMessageContaining("device and FIFO entries are not allowed");
    assertNothingWritten();
  }

  @Test
  void extract_existingEmptyTargetOnFailure_keptButEmptied() throws Exception {
    Files.createDirectories(target);
    byte[] tar = archive(file("good.txt"), file("../x"));

    assertThatThrownBy(() -> TarExtractor.extract(new ByteArrayInputStream(tar), target))
        .isInstanceOf(TarException.class);
    assertThat(target).isEmptyDirectory();
  }

  @Test
  void write_symlinkPointingOutOfTree_rejected() throws Exception {
    Path source = Files.createDirectories(dir.resolve("dataset"));
    Files.createSymbolicLink(source.resolve("shadow"), Path.of("/etc/shadow"));

    assertThatThrownBy(() -> TarWriter.write(source, new ByteArrayOutputStream()))
        .isInstanceOf(TarException.class)
        .hasMessageContaining("\"shadow\"");
  }

  private void assertNothingWritten() throws IOException {
    assertThat(target).doesNotExist();
    assertThat(TestTree.list(outside)).isEmpty();
    assertThat(TestTree.list(dir.resolve("job"))).containsExactly("outside");
    assertThat(Files.exists(dir.resolve("job/x"), LinkOption.NOFOLLOW_LINKS)).isFalse();
  }

  private static TarArchiveEntry file(String name) {
    TarArchiveEntry entry = new TarArchiveEntry(name, true);
    entry.setSize(5);
    return entry;
  }

  private static TarArchiveEntry directory(String name) {
    return new TarArchiveEntry(name, true);
  }

  private static TarArchiveEntry link(String name, String target, byte type) {
    TarArchiveEntry entry = new TarArchiveEntry(name, type, true);
    entry.setLinkName(target);
    return entry;
  }

  private static byte[] archive(TarArchiveEntry... entries) throws IOException {
    ByteArrayOutputStream bytes = new ByteArrayOutputStream();
    try (TarArchiveOutputStream tar = new TarArchiveOutputStream(bytes)) {
      tar.setLongFileMode(TarArchiveOutputStream.LONGFILE_POSIX);
      for (TarArchiveEntry entry : entries) {
        tar.putArchiveEntry(entry);
        if (entry.getSize() > 0) {
          tar.write("hello".getBytes(StandardCharsets.US_ASCII));
        }
        tar.closeArchiveEntry();
      }
    }
    return bytes.toByteArray();
  }
}
