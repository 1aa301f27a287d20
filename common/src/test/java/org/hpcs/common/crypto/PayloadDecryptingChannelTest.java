package org.hpcs.common.crypto;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.catchThrowable;

import com.exceptionfactory.jagged.framework.format.StandardPayloadKeyWriter;
import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.nio.ByteBuffer;
import java.nio.channels.Channels;
import java.nio.channels.FileChannel;
import java.nio.channels.ReadableByteChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.security.MessageDigest;
import java.util.Arrays;
import java.util.List;
import java.util.SplittableRandom;
import javax.crypto.SecretKey;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * The binary payload reader: files from the age command-line tool at sizes around the chunk size,
 * and payloads sealed here with chunk lengths and last-chunk flags that no correct writer produces.
 */
class PayloadDecryptingChannelTest {
  private static final int CHUNK = 65536;
  private static final int SEALED = CHUNK + 16;

  @TempDir Path dir;
  private final AgeIdentity identity = AgeIdentity.generate();

  @ParameterizedTest
  @ValueSource(ints = {0, 1, CHUNK - 1, CHUNK, CHUNK + 1, 4 * CHUNK, 5 * CHUNK + 77})
  void decrypt_ageCliChunkEdges_sameDigest(int size) throws Exception {
    Path plain = TestFiles.randomFile(dir.resolve("plain.bin"), size, size);
    Path encrypted = dir.resolve("plain.age");
    String recipient = identity.recipient().value();
    TestFiles.run(dir, "age", "-r", recipient, "-o", encrypted.toString(), plain.toString());
    Path decrypted = dir.resolve("plain.out");

    long written = AgeFiles.decrypt(encrypted, decrypted, List.of(identity), false, n -> {});

    assertThat(written).isEqualTo(size);
    assertThat(Sha256.ofFile(decrypted)).isEqualTo(Sha256.ofFile(plain));
  }

  @ParameterizedTest
  @CsvSource({
    // plaintext bytes, bytes appended, index of the final chunk
    "1000, 1, 0",
    "1000, 100, 0",
    "1000, 70000, 0",
    "131072, 1, 1",
    "131072, 300, 1",
    "65541, 65552, 1"
  })
  void decrypt_bytesAfterFinalChunk_corruptedTrailingData(int size, int appended, long chunk)
      throws Exception {
    Path plain = TestFiles.randomFile(dir.resolve("plain.bin"), size, size);
    Path encrypted = dir.resolve("plain.age");
    AgeFiles.encrypt(plain, encrypted, List.of(identity.recipient()), false, false, n -> {});
    long length = Files.size(encrypted);
    byte[] extra = new byte[appended];
    new SplittableRandom(appended).nextBytes(extra);
    Files.write(encrypted, extra, StandardOpenOption.APPEND);
    Path output = dir.resolve("out.bin");

    Throwable thrown =
        catchThrowable(
            () -> AgeFiles.decrypt(encrypted, output, List.of(identity), false, n -> {}));

    assertThat(thrown)
        .isInstanceOf(CorruptedCiphertextException.class)
        .hasMessageContaining(encrypted.toString())
        .hasMessageContaining("trailing data after the final payload chunk " + chunk)
        .hasMessageContaining("ends at ciphertext byte offset " + length);
    assertThat(((CorruptedCiphertextException) thrown).chunk()).isEqualTo(chunk);
    assertThat(output).doesNotExist();
  }

  @Test
  void decrypt_emptyFinalChunkAfterOthers_corrupted() throws Exception {
    byte[] file = seal(new Chunk(CHUNK, false), new Chunk(0, true));

    assertThatThrownBy(() -> decrypt(file))
        .isInstanceOf(CorruptedCiphertextException.class)
        .hasMessageContaining("payload chunk 1")
        .hasMessageContaining("empty final chunk");
  }

  @Test
  void decrypt_onlyChunkEmptyAndFinal_emptyPlaintext() throws Exception {
    byte[] file = seal(new Chunk(0, true));

    assertThat(decrypt(file)).isZero();
  }

  @Test
  void decrypt_shortLastChunkWithoutFinalFlag_corrupted() throws Exception {
    byte[] file = seal(new Chunk(CHUNK, false), new Chunk(100, false));

    assertThatThrownBy(() -> decrypt(file))
        .isInstanceOf(CorruptedCiphertextException.class)
        .hasMessageContaining("payload chunk 1")
        .hasMessageContaining("not marked as the final chunk");
  }

  @Test
  void decrypt_finalFlagThenChunks_trailingData() throws Exception {
    byte[] file = seal(new Chunk(CHUNK, true), new Chunk(CHUNK, false), new Chunk(10, true));

    assertThatThrownBy(() -> decrypt(file))
        .isInstanceOf(CorruptedCiphertextException.class)
        .hasMessageContaining("trailing data after the final payload chunk 0");
  }

  @Test
  void decrypt_shortChunkInMiddle_corrupted() throws Exception {
    byte[] file = seal(new Chunk(100, false), new Chunk(CHUNK, false), new Chunk(10, true));

    assertThatThrownBy(() -> decrypt(file))
        .isInstanceOf(CorruptedCiphertextException.class)
        .hasMessageContaining("payload chunk 0 (ciphertext byte offset")
        .hasMessageContaining("fails authentication");
  }

  @Test
  void decrypt_cutAfterWholeChunk_truncated() throws Exception {
    byte[] whole = seal(new Chunk(CHUNK, false), new Chunk(CHUNK, false), new Chunk(5, true));
    byte[] cut = Arrays.copyOf(whole, whole.length - (5 + 16));

    assertThatThrownBy(() -> decrypt(cut))
        .isInstanceOf(TruncatedCiphertextException.class)
        .hasMessageContaining("payload chunk 1");
  }

  @Test
  void read_corruptedChunk3_returnsOnlyVerifiedChunksBefore() throws Exception {
    Path plain = TestFiles.randomFile(dir.resolve("plain.bin"), 5L * CHUNK + 10, 41);
    Path encrypted = dir.resolve("plain.age");
    AgeFiles.encrypt(plain, encrypted, List.of(identity.recipient()), false, false, n -> {});
    byte[] file = Files.readAllBytes(encrypted);
    int payloadStart = headerLength(file) + 16;
    file[payloadStart + 3 * SEALED + 7] ^= 1;
    MessageDigest released = MessageDigest.getInstance("SHA-256");
    ByteBuffer buffer = ByteBuffer.allocate(1000);
    long count = 0;
    Throwable thrown = null;

    try (ReadableByteChannel plaintext =
        AgeDecryptor.open(channel(file), "c.age", List.of(identity))) {
      while (thrown == null) {
        buffer.clear();
        thrown = catchThrowable(() -> plaintext.read(buffer));
        buffer.flip();
        count += buffer.remaining();
        released.update(buffer);
      }
      assertThatThrownBy(() -> plaintext.read(ByteBuffer.allocate(10)))
          .as("a read after the failure")
          .isInstanceOf(AgeStreamException.class);
    }

    assertThat(thrown).isInstanceOf(AgeStreamException.class);
    assertThat(((AgeStreamException) thrown).ageException())
        .isInstanceOf(CorruptedCiphertextException.class)
        .hasMessageContaining("payload chunk 3");
    assertThat(count).isEqualTo(3L * CHUNK);
    assertThat(released.digest()).isEqualTo(prefixDigest(plain, 3 * CHUNK));
  }

  /** One chunk to seal: its plaintext length and whether its nonce carries the last-chunk flag. */
  private record Chunk(int length, boolean last) {}

  /** Returns an age file with a real header for {@link #identity} and the given chunks. */
  private byte[] seal(Chunk... chunks) throws Exception {
    ByteBuffer header = ByteBuffer.allocate(SEALED);
    SecretKey key =
        new StandardPayloadKeyWriter()
            .writeFileHeader(header, List.of(identity.recipient().stanzaWriter()));
    header.flip();
    ByteArrayOutputStream file = new ByteArrayOutputStream();
    file.write(header.array(), 0, header.limit());
    ChunkSealer sealer = new ChunkSealer(key);
    SplittableRandom random = new SplittableRandom(chunks.length);
    for (int i = 0; i < chunks.length; i++) {
      byte[] plain = new byte[chunks[i].length()];
      random.nextBytes(plain);
      byte[] sealed = new byte[plain.length + 16];
      sealer.seal(i, chunks[i].last(), plain, 0, plain.length, sealed, 0);
      file.write(sealed);
    }
    return file.toByteArray();
  }

  private long decrypt(byte[] file) throws Exception {
    return AgeDecryptor.decrypt(
        channel(file), "sealed.age", new DiscardingChannel(), List.of(identity), n -> {});
  }

  private static ReadableByteChannel channel(byte[] file) {
    return Channels.newChannel(new ByteArrayInputStream(file));
  }

  private static int headerLength(byte[] file) {
    String text = new String(file, 0, Math.min(file.length, 4096), StandardCharsets.ISO_8859_1);
    return text.indexOf('\n', text.indexOf("\n--- ") + 1) + 1;
  }

  private static byte[] prefixDigest(Path file, int length) throws Exception {
    MessageDigest digest = MessageDigest.getInstance("SHA-256");
    try (FileChannel in = FileChannel.open(file, StandardOpenOption.READ)) {
      ByteBuffer prefix = ByteBuffer.allocate(length);
      ChannelCopier.readFully(in, prefix);
      digest.update(prefix.flip());
    }
    return digest.digest();
  }
}
