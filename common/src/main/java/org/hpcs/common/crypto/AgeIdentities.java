package org.hpcs.common.crypto;

import java.io.IOException;
import java.io.InputStream;
import java.nio.ByteBuffer;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Objects;

/**
 * Parses age identity files: one {@code AGE-SECRET-KEY-1...} key per line, with {@code #} comment
 * lines and blank lines allowed, LF or CRLF line ends and trailing whitespace ignored. A byte order
 * mark or any other line is rejected with "invalid age identity" and the line number only.
 */
public final class AgeIdentities {
  private static final char BYTE_ORDER_MARK = '\uFEFF';

  /**
   * The largest identity file read, in bytes: room for over 300 identities as age-keygen writes
   * them.
   */
  static final int MAX_FILE_BYTES = 64 * 1024;

  private AgeIdentities() {}

  /**
   * Parses identity text.
   *
   * @param text the file content
   * @param source where the text came from (a path or a Vault path), used in messages
   * @return at least one identity
   * @throws InvalidAgeKeyException if a line is neither a key, a comment nor blank, or none is
   *     found
   */
  public static List<AgeIdentity> parse(String text, String source) throws InvalidAgeKeyException {
    Objects.requireNonNull(text, "text must not be null");
    if (!text.isEmpty() && text.charAt(0) == BYTE_ORDER_MARK) {
      throw new InvalidAgeKeyException(
          "invalid age identity in %s: it starts with a byte order mark (U+FEFF); save it as UTF-8 without BOM"
              .formatted(source));
    }
    List<AgeIdentity> identities = new ArrayList<>();
    String[] lines = text.split("\n", -1);
    for (int i = 0; i < lines.length; i++) {
      String line = lines[i].strip();
      if (line.isEmpty() || line.startsWith("#")) {
        continue;
      }
      identities.add(AgeIdentity.parseLine(line, source + " line " + (i + 1)));
    }
    if (identities.isEmpty()) {
      throw new InvalidAgeKeyException(
          "invalid age identity in %s: no AGE-SECRET-KEY-1 line found; pass an identity file made by hpcs keygen or age-keygen"
              .formatted(source));
    }
    return List.copyOf(identities);
  }

  /**
   * Reads and parses an identity file.
   *
   * @throws InvalidAgeKeyException if the file is a directory, larger than 64 KiB, not valid UTF-8
   *     or not an identity file
   * @throws IOException if the file cannot be read
   */
  public static List<AgeIdentity> read(Path file) throws InvalidAgeKeyException, IOException {
    if (Files.isDirectory(file)) {
      throw new InvalidAgeKeyException(
          "invalid age identity in %s: it is a directory; pass the identity file made by hpcs keygen or age-keygen"
              .formatted(file));
    }
    byte[] bytes;
    try (InputStream in = Files.newInputStream(file)) {
      bytes = in.readNBytes(MAX_FILE_BYTES + 1);
    }
    if (bytes.length > MAX_FILE_BYTES) {
      Arrays.fill(bytes, (byte) 0);
      throw new InvalidAgeKeyException(
          "invalid age identity in %s: it is longer than %d bytes, and identity files are a few hundred bytes; pass the identity file made by hpcs keygen or age-keygen"
              .formatted(file, MAX_FILE_BYTES));
    }
    try {
      String text =
          StandardCharsets.UTF_8
              .newDecoder()
              .onMalformedInput(CodingErrorAction.REPORT)
              .onUnmappableCharacter(CodingErrorAction.REPORT)
              .decode(ByteBuffer.wrap(bytes))
              .toString();
      return parse(text, file.toString());
    } catch (CharacterCodingException e) {
      throw new InvalidAgeKeyException(
          "invalid age identity in %s: the file is not UTF-8 text; pass an identity file made by hpcs keygen or age-keygen"
              .formatted(file));
    } finally {
      Arrays.fill(bytes, (byte) 0);
    }
  }
}
