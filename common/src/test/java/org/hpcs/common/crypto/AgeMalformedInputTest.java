package org.hpcs.common.crypto;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.catchThrowable;

import java.io.ByteArrayInputStream;
import java.io.OutputStream;
import java.nio.channels.Channels;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.Arrays;
import java.util.List;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Files made by the age command-line tool and then cut or padded: every failure must be a
 * classified {@link AgeException} naming the file, never an unchecked exception of the parser.
 */
class AgeMalformedInputTest {
  @TempDir Path dir;
  private final AgeIdentity identity = AgeIdentity.generate();

  @BeforeEach
  void writeKey() throws Exception {
    Files.writeString(dir.resolve("key.txt"), identity.toIdentityFileText(Instant.now()));
  }

  @Test
  void decrypt_binaryCutAtEveryHeaderOffset_alwaysAgeException() throws Exception {
    byte[] file = ageCli("plain.bin", 1000, false);
    int limit = headerLength(file) + 16;

    for (int length = 0; length < limit; length++) {
      int cut = length;
      Throwable thrown = catchThrowable(() -> decrypt(file, cut));

      assertThat(thrown).as("input cut to %d bytes", cut).isInstanceOf(AgeException.class);
    }
  }

  @Test
  void decrypt_binaryCutRightAfterMacLine_truncatedNotCorrupted() throws Exception {
    byte[] file = ageCli("plain.bin", 1000, false);

    assertThatThrownBy(() -> decrypt(file, headerLength(file)))
        .isInstanceOf(TruncatedCiphertextException.class)
        .hasMessageContaining("cut.age is truncated");
  }

  @Test
  void decrypt_armoredCutAtAnyLineEnd_truncated() throws Exception {
    byte[] file = ageCli("plain.bin", 3000, true);
    String text = new String(file, StandardCharsets.US_ASCII);

    for (int end = text.indexOf('\n'); end < text.length() - 1; end = text.indexOf('\n', end + 1)) {
      for (int length : new int[] {end, end + 1}) {
        Throwable thrown = catchThrowable(() -> decrypt(file, length));

        assertThat(thrown)
            .as("armored input cut to %d bytes", length)
            .isInstanceOf(TruncatedCiphertextException.class)
            .hasMessageContaining("cut.age");
      }
    }
  }

  @Test
  void decrypt_armoredWithDataAfterEndLine_corruptedNamingTrailingData() throws Exception {
    for (int size : new int[] {1000, 300_000}) {
      byte[] file = ageCli("plain" + size + ".bin", size, true);
      byte[] padded = Arrays.copyOf(file, file.length + 8);
      System.arraycopy("garbage\n".getBytes(StandardCharsets.US_ASCII), 0, padded, file.length, 8);

      assertThatThrownBy(() -> decrypt(padded, padded.length))
          .as("armored file of %d bytes", size)
          .isInstanceOf(CorruptedCiphertextException.class)
          .hasMessageContaining("cut.age has data after its END line");
    }
  }

  @Test
  void decrypt_armoredEndLineWithExtraDash_corruptedNotTruncated() throws Exception {
    String text = new String(ageCli("plain.bin", 1000, true), StandardCharsets.US_ASCII);
    byte[] file = text.replace("-----END AGE", "------END AGE").getBytes(StandardCharsets.US_ASCII);

    assertThatThrownBy(() -> decrypt(file, file.length))
        .isInstanceOf(CorruptedCiphertextException.class);
  }

  @Test
  void decrypt_armoredWithBlankLinesAfterEndLine_decrypts() throws Exception {
    byte[] file = ageCli("plain.bin", 1000, true);
    byte[] padded = Arrays.copyOf(file, file.length + 4);
    System.arraycopy("\n \n\n".getBytes(StandardCharsets.US_ASCII), 0, padded, file.length, 4);

    decrypt(padded, padded.length);
  }

  @Test
  void decrypt_headerLargerThanParserBuffer_corruptedHeader() throws Exception {
    byte[] file = ageCli("plain.bin", 1000, false);
    String text = new String(file, StandardCharsets.ISO_8859_1);
    int firstStanza = text.indexOf("\n-> ") + 1;
    String padded =
        text.substring(0, firstStanza)
            + "-> junk\n\n".repeat(200_000)
            + text.substring(firstStanza);
    byte[] large = padded.getBytes(StandardCharsets.ISO_8859_1);

    assertThatThrownBy(() -> decrypt(large, large.length))
        .isInstanceOf(CorruptedCiphertextException.class)
        .hasMessageContaining("cut.age is corrupted");
  }

  private byte[] ageCli(String name, int size, boolean armor) throws Exception {
    Path plain = TestFiles.randomFile(dir.resolve(name), size, size);
    Path encrypted = dir.resolve(name + ".age");
    String recipient = identity.recipient().value();
    if (armor) {
      TestFiles.run(
          dir, "age", "-a", "-r", recipient, "-o", encrypted.toString(), plain.toString());
    } else {
      TestFiles.run(dir, "age", "-r", recipient, "-o", encrypted.toString(), plain.toString());
    }
    return Files.readAllBytes(encrypted);
  }

  private void decrypt(byte[] file, int length) throws Exception {
    byte[] cut = Arrays.copyOf(file, length);
    AgeDecryptor.decrypt(
        Channels.newChannel(new ByteArrayInputStream(cut)),
        "cut.age",
        Channels.newChannel(OutputStream.nullOutputStream()),
        List.of(identity),
        n -> {});
  }

  private static int headerLength(byte[] file) {
    String text = new String(file, StandardCharsets.ISO_8859_1);
    return text.indexOf('\n', text.indexOf("\n--- ") + 1) + 1;
  }
}
