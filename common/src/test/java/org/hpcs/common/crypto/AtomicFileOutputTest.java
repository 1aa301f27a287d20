package org.hpcs.common.crypto;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.nio.file.FileAlreadyExistsException;
import java.nio.file.FileSystemException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Output files that cannot be written must name the target and leave nothing behind. */
class AtomicFileOutputTest {
  @TempDir Path dir;
  private final AgeIdentity identity = AgeIdentity.generate();

  @Test
  void decrypt_fullFileSystem_namesTargetLeavesNothing() throws Exception {
    assumeTrue("root".equals(System.getProperty("user.name")), "mounting a tmpfs needs root");
    Path encrypted = encryptedSample(256 * 1024);
    Path tiny = Files.createDirectory(dir.resolve("tiny"));
    TestFiles.run(dir, "mount", "-t", "tmpfs", "-o", "size=64k", "tmpfs", tiny.toString());
    try {
      Path output = tiny.resolve("out.bin");

      assertThatThrownBy(
              () -> AgeFiles.decrypt(encrypted, output, List.of(identity), false, n -> {}))
          .isInstanceOf(FileSystemException.class)
          .hasMessageContaining(output.toString())
          .hasMessageContaining("No space left on device")
          .hasMessageContaining("free space");
      assertThat(TestFiles.list(tiny)).isEmpty();
    } finally {
      TestFiles.run(dir, "umount", tiny.toString());
    }
  }

  @Test
  void encryptAndDecrypt_directoryAsInput_namesInputLeavesNothing() throws Exception {
    Path input = Files.createDirectory(dir.resolve("not-a-file"));
    Path output = dir.resolve("out.bin");

    assertThatThrownBy(
            () ->
                AgeFiles.encrypt(
                    input, output, List.of(identity.recipient()), false, false, n -> {}))
        .isInstanceOf(FileSystemException.class)
        .hasMessageContaining(input.toString())
        .hasMessageContaining("Is a directory");
    assertThatThrownBy(() -> AgeFiles.decrypt(input, output, List.of(identity), false, n -> {}))
        .isInstanceOf(FileSystemException.class)
        .hasMessageContaining(input.toString());
    assertThat(TestFiles.list(dir)).containsExactly("not-a-file");
  }

  @Test
  void create_missingDirectory_namesTargetAndDirectory() {
    Path output = dir.resolve("missing").resolve("out.bin");

    assertThatThrownBy(() -> AtomicFileOutput.create(output, false))
        .isInstanceOf(FileSystemException.class)
        .hasMessageContaining(output.toString())
        .hasMessageContaining("directory " + dir.resolve("missing") + " does not exist");
  }

  @Test
  void create_danglingSymlinkWithoutReplace_rejectedBeforeWriting() throws Exception {
    Path link = Files.createSymbolicLink(dir.resolve("out.bin"), dir.resolve("elsewhere.bin"));

    assertThatThrownBy(() -> AtomicFileOutput.create(link, false))
        .isInstanceOf(FileAlreadyExistsException.class)
        .hasMessageContaining(link.toString());
    assertThat(Files.isSymbolicLink(link)).isTrue();
    assertThat(TestFiles.list(dir)).containsExactly("out.bin");
  }

  @Test
  void decrypt_replaceSymlink_replacesLinkNotItsTarget() throws Exception {
    Path encrypted = encryptedSample(1000);
    Path victim = Files.writeString(dir.resolve("victim.txt"), "keep me");
    Path link = Files.createSymbolicLink(dir.resolve("out.bin"), victim);

    AgeFiles.decrypt(encrypted, link, List.of(identity), true, n -> {});

    assertThat(Files.isSymbolicLink(link)).isFalse();
    assertThat(Files.size(link)).isEqualTo(1000);
    assertThat(Files.readString(victim)).isEqualTo("keep me");
  }

  private Path encryptedSample(int size) throws Exception {
    Path plain = TestFiles.randomFile(dir.resolve("plain.bin"), size, size);
    Path encrypted = dir.resolve("sample.age");
    TestFiles.run(
        dir,
        "age",
        "-r",
        identity.recipient().value(),
        "-o",
        encrypted.toString(),
        plain.toString());
    Files.delete(plain);
    return encrypted;
  }
}
