package org.hpcs.common.crypto;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.ClosedChannelException;
import java.nio.channels.FileChannel;
import java.nio.channels.ReadableByteChannel;
import java.nio.channels.WritableByteChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.time.Instant;
import java.util.HexFormat;
import java.util.List;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * The binary payload writer against the age command-line tool, at sizes around the chunk and batch
 * boundaries, and its behaviour when the input fails part-way.
 */
class PayloadEncryptingChannelTest {
  private static final int CHUNK = 65536;
  private static final int BATCH = PayloadEncryptingChannel.BATCH_CHUNKS * CHUNK;

  @TempDir Path dir;
  private final AgeIdentity identity = AgeIdentity.generate();
  private Path keyFile;

  @BeforeEach
  void writeKey() throws IOException {
    keyFile = dir.resolve("key.txt");
    Files.writeString(keyFile, identity.toIdentityFileText(Instant.now()));
  }

  @ParameterizedTest
  @ValueSource(
      ints = {
        0,
        1,
        CHUNK - 1,
        CHUNK,
        CHUNK + 1,
        BATCH - 1,
        BATCH,
        BATCH + 1,
        BATCH + CHUNK,
        3 * BATCH + 5 * CHUNK + 77
      })
  void encrypt_chunkAndBatchEdges_ageDecryptsSameBytes(int size) throws Exception {
    Path plain = TestFiles.randomFile(dir.resolve("plain.bin"), size, size);
    Path encrypted = dir.resolve("plain.age");
    AgeFiles.encrypt(plain, encrypted, List.of(identity.recipient()), false, false, n -> {});
    Path byAge = dir.resolve("by-age.bin");
    Path byLibrary = dir.resolve("by-library.bin");
    // age opens its output only once it has plaintext to write; an empty plaintext leaves it
    // absent.
    Files.createFile(byAge);

    TestFiles.run(
        dir, "age", "-d", "-i", keyFile.toString(), "-o", byAge.toString(), encrypted.toString());
    AgeFiles.decrypt(encrypted, byLibrary, List.of(identity), false, n -> {});

    assertThat(Sha256.ofFile(byAge)).isEqualTo(Sha256.ofFile(plain));
    assertThat(Sha256.ofFile(byLibrary)).isEqualTo(Sha256.ofFile(plain));
    long chunks = Math.max(1, (size + CHUNK - 1) / CHUNK);
    assertThat(Files.size(encrypted) - headerLength(encrypted)).isEqualTo(size + 16 * chunks);
  }

  @Test
  void encrypt_inputFailsMidway_rejectedAsTruncated() throws Exception {
    Path plain = TestFiles.randomFile(dir.resolve("plain.bin"), 3L * BATCH, 31);
    Path partial = dir.resolve("partial.age");
    try (FileChannel file = FileChannel.open(plain, StandardOpenOption.READ);
        FileChannel out =
            FileChannel.open(partial, StandardOpenOption.CREATE_NEW, StandardOpenOption.WRITE)) {
      ReadableByteChannel failing = new FailingChannel(file, 2L * BATCH + 1000);

      assertThatThrownBy(
              () ->
                  AgeEncryptor.encrypt(failing, out, List.of(identity.recipient()), false, n -> {}))
          .isInstanceOf(IOException.class)
          .hasMessageContaining("input read failed");
    }

    TestFiles.Result age =
        TestFiles.runAllowingFailure(
            dir, "age", "-d", "-i", keyFile.toString(), "-o", "/dev/null", partial.toString());
    assertThat(age.exitCode()).isNotZero();
    try (FileChannel in = FileChannel.open(partial, StandardOpenOption.READ)) {
      assertThatThrownBy(
              () ->
                  AgeDecryptor.decrypt(
                      in, partial.toString(), new DiscardingChannel(), List.of(identity), n -> {}))
          .isInstanceOf(TruncatedCiphertextException.class);
    }
  }

  @Test
  void nonce_counterAndFlag_bigEndianThenFlag() {
    assertThat(HexFormat.of().formatHex(ChunkSealer.nonce(0, false)))
        .isEqualTo("000000000000000000000000");
    assertThat(HexFormat.of().formatHex(ChunkSealer.nonce(0x0102, true)))
        .isEqualTo("000000000000000000010201");
    assertThat(HexFormat.of().formatHex(ChunkSealer.nonce(Long.MAX_VALUE, false)))
        .isEqualTo("0000007fffffffffffffff00");
  }

  @Test
  void write_afterClose_throwsClosedChannel() throws Exception {
    WritableCollector sink = new WritableCollector();
    WritableByteChannel channel = AgeEncryptor.open(sink, List.of(identity.recipient()), false);
    channel.close();

    assertThatThrownBy(() -> channel.write(ByteBuffer.allocate(1)))
        .isInstanceOf(ClosedChannelException.class);
    assertThat(sink.closed).isTrue();
  }

  @Test
  void close_afterFailedWrite_writesNothingMore() throws Exception {
    FlakyOutput output = new FlakyOutput(3);
    WritableByteChannel channel = AgeEncryptor.open(output, List.of(identity.recipient()), false);
    ByteBuffer plaintext = ByteBuffer.allocate(BATCH);

    assertThatThrownBy(
            () -> {
              for (int i = 0; i < 16; i++) {
                plaintext.clear();
                channel.write(plaintext);
              }
            })
        .isInstanceOf(IOException.class)
        .hasMessageContaining("output write failed");
    long writtenBeforeClose = output.bytes;
    channel.close();

    assertThat(output.bytes).isEqualTo(writtenBeforeClose);
    assertThat(output.closed).isTrue();
    assertThat(channel.isOpen()).isFalse();
  }

  /** Length of the header and payload nonce, found after the MAC line. */
  private static long headerLength(Path encrypted) throws IOException {
    byte[] bytes = Files.readAllBytes(encrypted);
    String text = new String(bytes, 0, Math.min(bytes.length, 4096), StandardCharsets.ISO_8859_1);
    int mac = text.indexOf("\n--- ");
    return text.indexOf('\n', mac + 1) + 1 + 16L;
  }

  /** Passes reads through until {@code limit} bytes, then fails like a broken disk. */
  private static final class FailingChannel implements ReadableByteChannel {
    private final ReadableByteChannel delegate;
    private long remaining;

    FailingChannel(ReadableByteChannel delegate, long limit) {
      this.delegate = delegate;
      this.remaining = limit;
    }

    @Override
    public int read(ByteBuffer buffer) throws IOException {
      if (remaining <= 0) {
        throw new IOException("input read failed");
      }
      int allowed = (int) Math.min(buffer.remaining(), remaining);
      ByteBuffer window = buffer.slice(buffer.position(), allowed);
      int read = delegate.read(window);
      if (read > 0) {
        buffer.position(buffer.position() + read);
        remaining -= read;
      }
      return read;
    }

    @Override
    public boolean isOpen() {
      return delegate.isOpen();
    }

    @Override
    public void close() throws IOException {
      delegate.close();
    }
  }

  /** Counts and drops bytes, and fails its {@code failAt}-th write once, like a full disk. */
  private static final class FlakyOutput implements WritableByteChannel {
    private final int failAt;
    private int writes;
    long bytes;
    boolean closed;

    FlakyOutput(int failAt) {
      this.failAt = failAt;
    }

    @Override
    public int write(ByteBuffer buffer) throws IOException {
      writes++;
      if (writes == failAt) {
        throw new IOException("output write failed");
      }
      int count = buffer.remaining();
      buffer.position(buffer.limit());
      bytes += count;
      return count;
    }

    @Override
    public boolean isOpen() {
      return !closed;
    }

    @Override
    public void close() {
      closed = true;
    }
  }

  /** Drops bytes and records whether it was closed. */
  private static final class WritableCollector implements WritableByteChannel {
    boolean closed;

    @Override
    public int write(ByteBuffer buffer) {
      int count = buffer.remaining();
      buffer.position(buffer.limit());
      return count;
    }

    @Override
    public boolean isOpen() {
      return !closed;
    }

    @Override
    public void close() {
      closed = true;
    }
  }
}
