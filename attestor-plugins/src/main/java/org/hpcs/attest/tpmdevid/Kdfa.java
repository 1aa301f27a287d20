package org.hpcs.attest.tpmdevid;

import java.io.ByteArrayOutputStream;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.security.GeneralSecurityException;
import java.util.Arrays;
import javax.crypto.Mac;
import javax.crypto.spec.SecretKeySpec;

/**
 * KDFa with HMAC-SHA-256: NIST SP 800-108 counter mode as TPM 2.0 Library Specification Part 1
 * defines it, with the label followed by a zero byte.
 */
final class Kdfa {
  private Kdfa() {}

  static byte[] sha256(byte[] key, String label, byte[] contextU, byte[] contextV, int bits)
      throws GeneralSecurityException {
    Mac hmac = Mac.getInstance("HmacSHA256");
    hmac.init(new SecretKeySpec(key, "HmacSHA256"));
    byte[] labelBytes = label.getBytes(StandardCharsets.US_ASCII);
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    for (int counter = 1; out.size() * 8 < bits; counter++) {
      hmac.update(ByteBuffer.allocate(4).putInt(counter).array());
      hmac.update(labelBytes);
      hmac.update((byte) 0);
      hmac.update(contextU);
      hmac.update(contextV);
      hmac.update(ByteBuffer.allocate(4).putInt(bits).array());
      out.writeBytes(hmac.doFinal());
    }
    return Arrays.copyOf(out.toByteArray(), bits / 8);
  }
}
