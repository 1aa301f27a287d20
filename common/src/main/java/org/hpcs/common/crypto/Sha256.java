package org.hpcs.common.crypto;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HexFormat;

/** SHA-256 helpers for files and streams. */
public final class Sha256 {
  /**
   * A digest with the byte count it covers.
   *
   * @param hex the lower-case hexadecimal SHA-256
   * @param size the number of bytes digested
   */
  public record Result(String hex, long size) {}

  private Sha256() {}

  /** Returns a new SHA-256 digest; every Java platform provides one. */
  public static MessageDigest newDigest() {
    try {
      return MessageDigest.getInstance("SHA-256");
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException("SHA-256 is missing from this JDK", e);
    }
  }

  /** Returns lower-case hexadecimal text of {@code bytes}. */
  public static String hex(byte[] bytes) {
    return HexFormat.of().formatHex(bytes);
  }

  /** Computes the SHA-256 and size of bytes in memory. */
  public static Result of(byte[] bytes) {
    return new Result(hex(newDigest().digest(bytes)), bytes.length);
  }

  /** Computes the SHA-256 and size of a file, reading it through a 1 MiB direct buffer. */
  public static Result ofFile(Path file) throws IOException {
    MessageDigest digest = newDigest();
    ByteBuffer buffer = ByteBuffer.allocateDirect(ChannelCopier.BUFFER_SIZE);
    long size = 0;
    try (FileChannel channel = FileChannel.open(file, StandardOpenOption.READ)) {
      while (channel.read(buffer) >= 0) {
        buffer.flip();
        size += buffer.remaining();
        digest.update(buffer);
        buffer.clear();
      }
    }
    return new Result(hex(digest.digest()), size);
  }
}
