package org.hpcs.common.crypto;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.channels.FileChannel;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class AgeStreamTest {
  @TempDir Path dir;
  private final AgeIdentity identity = AgeIdentity.generate();

  @Test
  void decrypt_shortAndEmptyReads_outputDigestMatches() throws Exception {
    Path plain = TestFiles.randomFile(dir.resolve("plain.bin"), 1 << 20, 11);
    Path encrypted = dir.resolve("plain.bin.age");
    TestFiles.run(
        dir,
        "age",
        "-r",
        identity.recipient().value(),
        "-o",
        encrypted.toString(),
        plain.toString());

    DigestingWritableChannel sink = new DigestingWritableChannel(new DiscardingChannel());
    try (FileChannel file = FileChannel.open(encrypted, StandardOpenOption.READ)) {
      AgeDecryptor.decrypt(
          new ThrottledChannel(file, 5), "throttled", sink, List.of(identity), n -> {});
    }

    assertThat(sink.result()).isEqualTo(Sha256.ofFile(plain));
  }

  @Test
  void decrypt_armoredShortReads_outputDigestMatches() throws Exception {
    Path plain = TestFiles.randomFile(dir.resolve("plain.bin"), 200_000, 12);
    Path encrypted = dir.resolve("plain.bin.age");
    TestFiles.run(
        dir,
        "age",
        "-a",
        "-r",
        identity.recipient().value(),
        "-o",
        encrypted.toString(),
        plain.toString());

    DigestingWritableChannel sink = new DigestingWritableChannel(new DiscardingChannel());
    try (FileChannel file = FileChannel.open(encrypted, StandardOpenOption.READ)) {
      AgeDecryptor.decrypt(
          new ThrottledChannel(file, 6), "throttled", sink, List.of(identity), n -> {});
    }

    assertThat(sink.result()).isEqualTo(Sha256.ofFile(plain));
  }

  @Test
  void encrypt_shortReadInput_ageCliDecryptsSameBytes() throws Exception {
    Path plain = TestFiles.randomFile(dir.resolve("plain.bin"), 300_000, 13);
    Path encrypted = dir.resolve("out.age");
    try (FileChannel in = FileChannel.open(plain, StandardOpenOption.READ);
        AtomicFileOutput out = AtomicFileOutput.create(encrypted, false)) {
      AgeEncryptor.encrypt(
          new ThrottledChannel(in, 8),
          out.channel(),
          List.of(identity.recipient()),
          false,
          n -> {});
      out.commit();
    }
    Path key = dir.resolve("key.txt");
    java.nio.file.Files.writeString(key, identity.toIdentityFileText(java.time.Instant.now()));
    Path decrypted = dir.resolve("decrypted.bin");

    TestFiles.run(
        dir, "age", "-d", "-i", key.toString(), "-o", decrypted.toString(), encrypted.toString());

    assertThat(Sha256.ofFile(decrypted)).isEqualTo(Sha256.ofFile(plain));
  }

  @Test
  void decrypt_emptyPlaintext_returnsZeroBytes() throws Exception {
    Path plain = dir.resolve("empty.bin");
    java.nio.file.Files.createFile(plain);
    Path encrypted = dir.resolve("empty.age");
    AgeFiles.encrypt(plain, encrypted, List.of(identity.recipient()), false, false, n -> {});
    Path decrypted = dir.resolve("empty.out");

    long size = AgeFiles.decrypt(encrypted, decrypted, List.of(identity), false, n -> {});

    assertThat(size).isZero();
    assertThat(decrypted).isEmptyFile();
  }
}
