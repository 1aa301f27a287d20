package org.hpcs.agent.secure;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.nio.channels.Channels;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.apache.commons.compress.archivers.tar.TarArchiveEntry;
import org.apache.commons.compress.archivers.tar.TarArchiveInputStream;
import org.hpcs.agent.job.PipelineException;
import org.hpcs.agent.userio.UserIdentity;
import org.hpcs.common.crypto.AgeDecryptor;
import org.hpcs.common.crypto.AgeIdentity;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The node's output part: tar below the node name, encrypted to the owner, written as the user. */
class OutputShipperTest {
  private static final UserIdentity NOBODY = UserIdentity.lookup("nobody", 65534, 65534);

  @TempDir Path temp;

  private final AgeIdentity owner = AgeIdentity.generate();
  private Path output;
  private Path workDir;

  @BeforeEach
  void setUp() throws Exception {
    RootOnly.assumeRoot();
    Files.setPosixFilePermissions(temp, PosixFilePermissions.fromString("rwxr-xr-x"));
    output = userDirectory("output");
    workDir = userDirectory("work");
  }

  @Test
  void ship_outputTree_encryptedPartWithNodeEntries() throws Exception {
    Files.writeString(output.resolve("art.txt"), "ascii art");
    Files.createDirectory(output.resolve("sub"));
    Files.writeString(output.resolve("sub/b.txt"), "b");
    Files.createSymbolicLink(output.resolve("escape"), Path.of("/etc/passwd"));

    OutputShipper.Shipped shipped =
        OutputShipper.ship(NOBODY, output, workDir, 42, "n2", owner.recipient());

    assertThat(shipped.file()).isEqualTo(workDir.resolve("hpcs-output-42.n2.tar.age"));
    assertThat(Files.getAttribute(shipped.file(), "unix:uid", LinkOption.NOFOLLOW_LINKS))
        .isEqualTo(65534);
    assertThat(PosixFilePermissions.toString(Files.getPosixFilePermissions(shipped.file())))
        .isEqualTo("rw-------");
    assertThat(shipped.skipped()).singleElement().asString().contains("escape");
    Map<String, String> entries = decrypt(shipped.file());
    assertThat(entries.keySet()).containsExactly("n2/", "n2/art.txt", "n2/sub/", "n2/sub/b.txt");
    assertThat(entries.get("n2/art.txt")).isEqualTo("ascii art");
    try (var files = Files.list(workDir)) {
      assertThat(files).containsExactly(shipped.file());
    }
  }

  @Test
  void ship_emptyOutput_partWithNodeDirectoryOnly() throws Exception {
    OutputShipper.Shipped shipped =
        OutputShipper.ship(NOBODY, output, workDir, 42, "n1", owner.recipient());

    assertThat(decrypt(shipped.file()).keySet()).containsExactly("n1/");
  }

  @Test
  void ship_workDirNotWritableByUser_failsAndLeavesNothing() throws Exception {
    Path rootDir = Files.createDirectory(temp.resolve("root-only"));
    Files.setPosixFilePermissions(rootDir, PosixFilePermissions.fromString("rwxr-xr-x"));

    assertThatThrownBy(
            () -> OutputShipper.ship(NOBODY, output, rootDir, 42, "n1", owner.recipient()))
        .isInstanceOf(PipelineException.class)
        .hasMessageContaining("job 42 on n1")
        .hasMessageContaining("check that user nobody can write to " + rootDir);
    try (var files = Files.list(rootDir)) {
      assertThat(files).isEmpty();
    }
  }

  @Test
  void ship_outputUnreadableByUser_failsNamingPermission() throws Exception {
    Path closed = Files.createDirectory(temp.resolve("closed"));
    Files.setPosixFilePermissions(closed, PosixFilePermissions.fromString("rwx------"));

    assertThatThrownBy(
            () -> OutputShipper.ship(NOBODY, closed, workDir, 42, "n1", owner.recipient()))
        .isInstanceOf(PipelineException.class)
        .hasMessageContaining(closed + ": permission denied");
    try (var files = Files.list(workDir)) {
      assertThat(files).isEmpty();
    }
  }

  private Path userDirectory(String name) throws Exception {
    Path dir = Files.createDirectory(temp.resolve(name));
    Files.setAttribute(dir, "unix:uid", 65534);
    Files.setAttribute(dir, "unix:gid", 65534);
    return dir;
  }

  private Map<String, String> decrypt(Path file) throws Exception {
    ByteArrayOutputStream plain = new ByteArrayOutputStream();
    try (FileChannel in = FileChannel.open(file, StandardOpenOption.READ)) {
      AgeDecryptor.decrypt(
          in, file.toString(), Channels.newChannel(plain), List.of(owner), n -> {});
    }
    Map<String, String> entries = new LinkedHashMap<>();
    try (TarArchiveInputStream tar =
        new TarArchiveInputStream(new ByteArrayInputStream(plain.toByteArray()))) {
      TarArchiveEntry entry;
      while ((entry = tar.getNextEntry()) != null) {
        entries.put(entry.getName(), new String(tar.readAllBytes(), StandardCharsets.UTF_8));
      }
    }
    return entries;
  }
}
