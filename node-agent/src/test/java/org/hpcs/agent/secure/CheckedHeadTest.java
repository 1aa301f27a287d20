package org.hpcs.agent.secure;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.ByteArrayOutputStream;
import java.nio.ByteBuffer;
import java.nio.channels.Channels;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import java.util.List;
import org.hpcs.common.crypto.AgeEncryptor;
import org.hpcs.common.crypto.AgeIdentity;
import org.junit.jupiter.api.Test;

class CheckedHeadTest {
  private static final AgeIdentity IDENTITY = AgeIdentity.generate();

  @Test
  void find_binaryAgeFile_headEndsAfterMacLineAndNonce() throws Exception {
    byte[] age = encrypt(new byte[200_000], false);
    String text = new String(age, 0, 1000, StandardCharsets.ISO_8859_1);
    int macLineEnd = text.indexOf('\n', text.indexOf("\n--- ") + 1);

    CheckedHead head = CheckedHead.find(ByteBuffer.wrap(age)).orElseThrow();

    assertThat(head.length()).isEqualTo(macLineEnd + 1 + 16);
    assertThat(head.bytes()).isEqualTo(Arrays.copyOf(age, head.length()));
  }

  @Test
  void find_armoredAgeFile_empty() throws Exception {
    byte[] age = encrypt(new byte[1000], true);

    assertThat(CheckedHead.find(ByteBuffer.wrap(age))).isEmpty();
  }

  @Test
  void find_fileEndsInsideNonce_empty() throws Exception {
    byte[] age = encrypt(new byte[10], false);
    CheckedHead whole = CheckedHead.find(ByteBuffer.wrap(age)).orElseThrow();

    byte[] cut = Arrays.copyOf(age, whole.length() - 1);

    assertThat(CheckedHead.find(ByteBuffer.wrap(cut))).isEmpty();
  }

  @Test
  void find_noMacLineInFirstBytes_empty() {
    byte[] start = new byte[CheckedHead.MAX_LENGTH + 100];
    Arrays.fill(start, (byte) 'a');
    byte[] version = "age-encryption.org/v1\n".getBytes(StandardCharsets.US_ASCII);
    System.arraycopy(version, 0, start, 0, version.length);

    assertThat(CheckedHead.find(ByteBuffer.wrap(start))).isEmpty();
  }

  private static byte[] encrypt(byte[] plain, boolean armor) throws Exception {
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    AgeEncryptor.encrypt(
        Channels.newChannel(new java.io.ByteArrayInputStream(plain)),
        Channels.newChannel(out),
        List.of(IDENTITY.recipient()),
        armor,
        n -> {});
    return out.toByteArray();
  }
}
