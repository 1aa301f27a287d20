package org.hpcs.client.job;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.nio.channels.Channels;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.List;
import java.util.concurrent.atomic.AtomicLong;
import org.apache.commons.compress.archivers.tar.TarArchiveEntry;
import org.apache.commons.compress.archivers.tar.TarArchiveOutputStream;
import org.hpcs.common.crypto.AgeEncryptor;
import org.hpcs.common.crypto.AgeException;
import org.hpcs.common.crypto.AgeIdentity;
import org.hpcs.common.tar.TarException;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class OutputArchiveTest {
  private static final AgeIdentity OWNER = AgeIdentity.generate();

  @TempDir Path dir;

  private static byte[] tar(String... namesAndContents) throws Exception {
    ByteArrayOutputStream bytes = new ByteArrayOutputStream();
    try (TarArchiveOutputStream tar = new TarArchiveOutputStream(bytes)) {
      for (int i = 0; i < namesAndContents.length; i += 2) {
        byte[] content = namesAndContents[i + 1].getBytes(StandardCharsets.UTF_8);
        TarArchiveEntry entry = new TarArchiveEntry(namesAndContents[i]);
        entry.setSize(content.length);
        tar.putArchiveEntry(entry);
        tar.write(content);
        tar.closeArchiveEntry();
      }
    }
    return bytes.toByteArray();
  }

  private static byte[] encrypt(byte[] plaintext) throws Exception {
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    AgeEncryptor.encrypt(
        Channels.newChannel(new ByteArrayInputStream(plaintext)),
        Channels.newChannel(out),
        List.of(OWNER.recipient()),
        false,
        n -> {});
    return out.toByteArray();
  }

  @Test
  void extract_perNodeTree_filesAndProgress() throws Exception {
    byte[] file = encrypt(tar("n1/result.txt", "from n1\n", "n2/logs/run.log", "from n2\n"));
    Path target = dir.resolve("out");
    AtomicLong read = new AtomicLong();

    var result =
        OutputArchive.extract(
            new ByteArrayInputStream(file), "test", List.of(OWNER), target, read::set);

    assertThat(result.files()).isEqualTo(2);
    assertThat(Files.readString(target.resolve("n1/result.txt"))).isEqualTo("from n1\n");
    assertThat(Files.readString(target.resolve("n2/logs/run.log"))).isEqualTo("from n2\n");
    assertThat(read.get()).isEqualTo(file.length);
  }

  @Test
  void extract_wrongIdentity_failsAndLeavesNothing() throws Exception {
    byte[] file = encrypt(tar("n1/a.txt", "a"));
    Path target = dir.resolve("out");

    assertThrows(
        AgeException.class,
        () ->
            OutputArchive.extract(
                new ByteArrayInputStream(file),
                "test",
                List.of(AgeIdentity.generate()),
                target,
                n -> {}));

    assertThat(target).doesNotExist();
  }

  @Test
  void extract_truncatedCiphertext_failsAndRemovesPartialFiles() throws Exception {
    byte[] big = new byte[300_000];
    Arrays.fill(big, (byte) 'x');
    byte[] file = encrypt(tar("n1/big.txt", new String(big, StandardCharsets.US_ASCII)));
    byte[] truncated = Arrays.copyOf(file, file.length - 1000);
    Path target = dir.resolve("out");

    assertThrows(
        AgeException.class,
        () ->
            OutputArchive.extract(
                new ByteArrayInputStream(truncated), "test", List.of(OWNER), target, n -> {}));

    assertThat(target).doesNotExist();
  }

  @Test
  void extract_entryEscapingTarget_rejected() throws Exception {
    byte[] file = encrypt(tar("n1/ok.txt", "ok", "../escape.txt", "bad"));
    Path target = dir.resolve("out");

    assertThrows(
        TarException.class,
        () ->
            OutputArchive.extract(
                new ByteArrayInputStream(file), "test", List.of(OWNER), target, n -> {}));

    assertThat(dir.resolve("escape.txt")).doesNotExist();
    assertThat(target).doesNotExist();
  }
}
