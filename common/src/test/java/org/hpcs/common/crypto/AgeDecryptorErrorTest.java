package org.hpcs.common.crypto;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.IOException;
import java.io.RandomAccessFile;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.List;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class AgeDecryptorErrorTest {
  private static final int CHUNKS = 10;

  @TempDir Path dir;
  private final AgeIdentity identity = AgeIdentity.generate();
  private Path encrypted;
  private Path output;

  @BeforeEach
  void encryptSample() throws Exception {
    Path plain = TestFiles.randomFile(dir.resolve("plain.bin"), CHUNKS * 65536L + 1234, 7);
    encrypted = dir.resolve("sample.age");
    AgeFiles.encrypt(plain, encrypted, List.of(identity.recipient()), false, false, n -> {});
    Files.delete(plain);
    output = dir.resolve("out.bin");
  }

  @Test
  void decrypt_byteFlippedInChunk3_corruptedNamingFileAndChunk() throws Exception {
    long headerLength = headerLength();
    flipByte(headerLength + 16 + 3 * 65552L + 100);

    assertThatThrownBy(this::decrypt)
        .isInstanceOf(CorruptedCiphertextException.class)
        .hasMessageContaining(encrypted.toString())
        .hasMessageContaining("payload chunk 3")
        .hasMessageContaining("offset " + (headerLength + 16 + 3 * 65552L));
    assertNothingLeft();
  }

  @Test
  void decrypt_truncatedMidChunk_truncated() throws Exception {
    truncate(headerLength() + 16 + 5 * 65552L + 3000);

    assertThatThrownBy(this::decrypt)
        .isInstanceOf(TruncatedCiphertextException.class)
        .hasMessageContaining("is truncated")
        .hasMessageContaining("payload chunk 5");
    assertNothingLeft();
  }

  @Test
  void decrypt_truncatedAtChunkBoundary_truncated() throws Exception {
    truncate(headerLength() + 16 + 4 * 65552L);

    assertThatThrownBy(this::decrypt)
        .isInstanceOf(TruncatedCiphertextException.class)
        .hasMessageContaining("payload chunk 3");
    assertNothingLeft();
  }

  @Test
  void decrypt_truncatedInsideHeader_truncated() throws Exception {
    truncate(60);

    assertThatThrownBy(this::decrypt).isInstanceOf(TruncatedCiphertextException.class);
    assertNothingLeft();
  }

  @Test
  void decrypt_headerMacFlipped_corruptedHeader() throws Exception {
    flipByte(headerLength() - 5);

    assertThatThrownBy(this::decrypt)
        .isInstanceOf(CorruptedCiphertextException.class)
        .hasMessageContaining("header");
    assertNothingLeft();
  }

  @Test
  void decrypt_wrongIdentity_noMatchingIdentity() throws Exception {
    List<AgeIdentity> other = List.of(AgeIdentity.generate());

    assertThatThrownBy(() -> AgeFiles.decrypt(encrypted, output, other, false, n -> {}))
        .isInstanceOf(NoMatchingIdentityException.class)
        .hasMessageContaining("no identity matches a recipient of " + encrypted);
    assertNothingLeft();
  }

  @Test
  void decrypt_emptyFile_emptyInput() throws Exception {
    truncate(0);

    assertThatThrownBy(this::decrypt)
        .isInstanceOf(EmptyInputException.class)
        .hasMessageContaining("is empty");
    assertNothingLeft();
  }

  @Test
  void decrypt_plainText_notAgeFile() throws Exception {
    Files.writeString(encrypted, "hello, this is not encrypted at all\n");

    assertThatThrownBy(this::decrypt)
        .isInstanceOf(NotAgeFileException.class)
        .hasMessageContaining(encrypted + " is not an age file");
    assertNothingLeft();
  }

  @Test
  void decrypt_corruptedArmor_corrupted() throws Exception {
    Path armored = dir.resolve("small.age.txt");
    Path plain = TestFiles.randomFile(dir.resolve("small.bin"), 5000, 3);
    AgeFiles.encrypt(plain, armored, List.of(identity.recipient()), true, false, n -> {});
    String text = Files.readString(armored);
    int middle = text.indexOf('\n', 40) + 10;
    Files.writeString(armored, text.substring(0, middle) + "!" + text.substring(middle + 1));

    assertThatThrownBy(() -> AgeFiles.decrypt(armored, output, List.of(identity), false, n -> {}))
        .isInstanceOf(CorruptedCiphertextException.class);
    assertThat(Files.exists(output)).isFalse();
  }

  @Test
  void decrypt_truncatedArmor_truncated() throws Exception {
    Path armored = dir.resolve("big.age.txt");
    Path plain = TestFiles.randomFile(dir.resolve("big.bin"), 300_000, 4);
    AgeFiles.encrypt(plain, armored, List.of(identity.recipient()), true, false, n -> {});
    String text = Files.readString(armored);
    Files.writeString(armored, text.substring(0, text.length() * 2 / 3));

    assertThatThrownBy(() -> AgeFiles.decrypt(armored, output, List.of(identity), false, n -> {}))
        .isInstanceOf(TruncatedCiphertextException.class);
    assertThat(Files.exists(output)).isFalse();
  }

  private void decrypt() throws Exception {
    AgeFiles.decrypt(encrypted, output, List.of(identity), false, n -> {});
  }

  private void assertNothingLeft() throws IOException {
    assertThat(TestFiles.list(dir)).containsExactly("sample.age");
  }

  private long headerLength() throws IOException {
    byte[] head = new byte[1024];
    try (var in = Files.newInputStream(encrypted)) {
      int read = in.readNBytes(head, 0, head.length);
      String text = new String(head, 0, read, java.nio.charset.StandardCharsets.ISO_8859_1);
      int mac = text.indexOf("\n--- ");
      return text.indexOf('\n', mac + 1) + 1L;
    }
  }

  private void flipByte(long offset) throws IOException {
    try (RandomAccessFile file = new RandomAccessFile(encrypted.toFile(), "rw")) {
      file.seek(offset);
      int b = file.read();
      file.seek(offset);
      file.write(b ^ 0x40);
    }
  }

  private void truncate(long size) throws IOException {
    try (FileChannel channel = FileChannel.open(encrypted, StandardOpenOption.WRITE)) {
      channel.truncate(size);
    }
  }
}
