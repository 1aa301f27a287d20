package org.hpcs.attest.tpmdevid;

import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.security.GeneralSecurityException;
import java.security.MessageDigest;

/**
 * The message that the DevID key signs to prove possession:
 *
 * <pre>
 * "HPCS-TPM-DEVID-PROOF-V1" || 0x00 || u32be(len(node)) || node || u32be(len(nonce)) || nonce
 * </pre>
 *
 * signed with ECDSA P-256 over its SHA-256 digest. The node name binds the proof to the node the
 * agent claims to be.
 */
final class ProofMessage {
  private static final byte[] LABEL =
      "HPCS-TPM-DEVID-PROOF-V1\0".getBytes(StandardCharsets.US_ASCII);

  private ProofMessage() {}

  static byte[] of(String nodeName, byte[] nonce) {
    byte[] node = nodeName.getBytes(StandardCharsets.UTF_8);
    return ByteBuffer.allocate(LABEL.length + 8 + node.length + nonce.length)
        .put(LABEL)
        .putInt(node.length)
        .put(node)
        .putInt(nonce.length)
        .put(nonce)
        .array();
  }

  static byte[] digest(String nodeName, byte[] nonce) {
    try {
      return MessageDigest.getInstance("SHA-256").digest(of(nodeName, nonce));
    } catch (GeneralSecurityException e) {
      throw new IllegalStateException("the JDK lacks SHA-256", e);
    }
  }
}
