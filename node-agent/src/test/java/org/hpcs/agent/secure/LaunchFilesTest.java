package org.hpcs.agent.secure;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.List;
import java.util.Optional;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class LaunchFilesTest {
  @TempDir Path temp;

  @Test
  void encode_argvMode_magicModeThenPrefixNulTerminated() {
    byte[] bytes =
        LaunchFiles.encode(
            LaunchFiles.Mode.ARGV, Optional.empty(), List.of("/usr/bin/bwrap", "--", ""));

    assertThat(new String(bytes, StandardCharsets.UTF_8))
        .isEqualTo("HPCS-LAUNCH-2\0argv\0\0/usr/bin/bwrap\0--\0\0");
  }

  @Test
  void encode_taskOutput_pathAfterMode() {
    byte[] bytes =
        LaunchFiles.encode(
            LaunchFiles.Mode.ARGS,
            Optional.of(Path.of("/run/hpcs/jobs/7/output/hpcs-step-0")),
            List.of("/usr/bin/bwrap"));

    assertThat(new String(bytes, StandardCharsets.UTF_8))
        .isEqualTo("HPCS-LAUNCH-2\0args\0/run/hpcs/jobs/7/output/hpcs-step-0\0/usr/bin/bwrap\0");
  }

  @Test
  void encode_relativeTaskOutput_rejected() {
    assertThatThrownBy(
            () ->
                LaunchFiles.encode(
                    LaunchFiles.Mode.ARGV, Optional.of(Path.of("out")), List.of("/b")))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("out is not absolute");
  }

  @Test
  void encode_relativeCommand_rejected() {
    assertThatThrownBy(
            () -> LaunchFiles.encode(LaunchFiles.Mode.ARGS, Optional.empty(), List.of("bwrap")))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("absolute path");
  }

  @Test
  void encode_nulInElement_rejected() {
    assertThatThrownBy(
            () ->
                LaunchFiles.encode(LaunchFiles.Mode.ARGV, Optional.empty(), List.of("/b", "a\0b")))
        .hasMessageContaining("NUL");
  }

  @Test
  void encode_tooManyElements_rejected() {
    List<String> prefix = java.util.Collections.nCopies(LaunchFiles.MAX_ARGS + 1, "/b");

    assertThatThrownBy(() -> LaunchFiles.encode(LaunchFiles.Mode.ARGV, Optional.empty(), prefix))
        .hasMessageContaining("1 to " + LaunchFiles.MAX_ARGS);
  }

  @Test
  void write_rootOwnedGroupReadable_replacedAtomically() throws Exception {
    RootOnly.assumeRoot();
    LaunchFiles files = new LaunchFiles(temp.resolve("launch/n1"));
    files.prepare();

    files.write(42, 0, 1234, LaunchFiles.Mode.ARGV, Optional.empty(), List.of("/usr/bin/old"));
    Path path =
        files.write(42, 0, 1234, LaunchFiles.Mode.ARGS, Optional.empty(), List.of("/usr/bin/new"));

    assertThat(path).isEqualTo(temp.resolve("launch/n1/42.0"));
    assertThat(new String(Files.readAllBytes(path), StandardCharsets.UTF_8))
        .contains("/usr/bin/new");
    assertThat(PosixFilePermissions.toString(Files.getPosixFilePermissions(path)))
        .isEqualTo("rw-r-----");
    assertThat(Files.getAttribute(path, "unix:gid", LinkOption.NOFOLLOW_LINKS)).isEqualTo(1234);
    assertThat(
            PosixFilePermissions.toString(Files.getPosixFilePermissions(temp.resolve("launch/n1"))))
        .isEqualTo("rwx--x--x");
    try (var entries = Files.list(temp.resolve("launch/n1"))) {
      assertThat(entries).containsExactly(path);
    }
  }

  @Test
  void deleteAll_removesOnlyThatJob() throws Exception {
    RootOnly.assumeRoot();
    LaunchFiles files = new LaunchFiles(temp.resolve("launch"));
    files.prepare();
    files.write(42, 0, 0, LaunchFiles.Mode.ARGV, Optional.empty(), List.of("/b"));
    files.write(42, 4294967291L, 0, LaunchFiles.Mode.ARGS, Optional.empty(), List.of("/b"));
    files.write(420, 0, 0, LaunchFiles.Mode.ARGV, Optional.empty(), List.of("/b"));

    files.deleteAll(42);

    assertThat(files.pathOf(42, 0)).doesNotExist();
    assertThat(files.pathOf(42, 4294967291L)).doesNotExist();
    assertThat(files.pathOf(420, 0)).exists();
  }

  @Test
  void prepare_groupWritableDirectory_rejected() throws Exception {
    Path dir = Files.createDirectory(temp.resolve("launch"));
    Files.setPosixFilePermissions(dir, PosixFilePermissions.fromString("rwxrwx--x"));

    assertThatThrownBy(() -> new LaunchFiles(dir).prepare())
        .hasMessageContaining("writable by root only");
  }
}
