package org.hpcs.attest.sevsnp;

import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;

/**
 * The 64 bytes of report data that bind an SEV-SNP report to one challenge:
 *
 * <pre>
 * SHA-512( "HPCS-SEV-SNP-REPORT-DATA-V1" || 0x00
 *          || u32be(len(node)) || node        (node name, UTF-8)
 *          || u32be(len(nonce)) || nonce      (server nonce)
 *          || u32be(len(key)) || key )        (agent TLS public key, DER SubjectPublicKeyInfo;
 *                                              empty when the agent binds no key)
 * </pre>
 */
public final class ReportData {
  private static final byte[] LABEL =
      "HPCS-SEV-SNP-REPORT-DATA-V1\0".getBytes(StandardCharsets.US_ASCII);

  private ReportData() {}

  /** Computes the report data for a node name, a server nonce and an agent public key. */
  public static byte[] compute(String nodeName, byte[] nonce, byte[] agentPublicKey) {
    byte[] node = nodeName.getBytes(StandardCharsets.UTF_8);
    ByteBuffer input =
        ByteBuffer.allocate(LABEL.length + 12 + node.length + nonce.length + agentPublicKey.length);
    input.put(LABEL);
    input.putInt(node.length).put(node);
    input.putInt(nonce.length).put(nonce);
    input.putInt(agentPublicKey.length).put(agentPublicKey);
    return sha512(input.array());
  }

  private static byte[] sha512(byte[] input) {
    try {
      return MessageDigest.getInstance("SHA-512").digest(input);
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException("the JDK lacks SHA-512", e);
    }
  }
}
