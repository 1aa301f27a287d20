package org.hpcs.attest.sevsnp;

import java.math.BigInteger;
import java.security.cert.X509Certificate;
import java.util.Arrays;
import java.util.Optional;
import java.util.OptionalInt;

/**
 * Reads AMD's VCEK certificate extensions. {@link X509Certificate#getExtensionValue} returns the
 * extnValue wrapped in a DER OCTET STRING; AMD's extnValue is itself a DER OCTET STRING (hwID) or
 * INTEGER (TCB components).
 */
final class DerExtensions {
  private static final int OCTET_STRING = 0x04;
  private static final int INTEGER = 0x02;

  private DerExtensions() {}

  /**
   * Returns the OCTET STRING content of an extension, or empty when the extension is absent.
   *
   * @throws IllegalArgumentException when the extension is not a DER OCTET STRING
   */
  static Optional<byte[]> octetString(X509Certificate certificate, String oid) {
    byte[] wrapped = certificate.getExtensionValue(oid);
    if (wrapped == null) {
      return Optional.empty();
    }
    byte[] extnValue = content(wrapped, OCTET_STRING, oid);
    return Optional.of(content(extnValue, OCTET_STRING, oid));
  }

  /**
   * Returns a small INTEGER extension, or empty when the extension is absent.
   *
   * @throws IllegalArgumentException when the extension is not a DER INTEGER of at most 4 bytes
   */
  static OptionalInt smallInteger(X509Certificate certificate, String oid) {
    byte[] wrapped = certificate.getExtensionValue(oid);
    if (wrapped == null) {
      return OptionalInt.empty();
    }
    byte[] value = content(content(wrapped, OCTET_STRING, oid), INTEGER, oid);
    if (value.length == 0 || value.length > 4) {
      throw new IllegalArgumentException("extension " + oid + " has an INTEGER of bad size");
    }
    return OptionalInt.of(new BigInteger(value).intValue());
  }

  private static byte[] content(byte[] der, int tag, String oid) {
    if (der.length < 2 || der[0] != tag) {
      throw new IllegalArgumentException("extension " + oid + " is not the expected DER type");
    }
    int length = der[1] & 0xFF;
    int start = 2;
    if (length >= 0x80) {
      int lengthBytes = length & 0x7F;
      if (lengthBytes == 0 || lengthBytes > 3 || der.length < 2 + lengthBytes) {
        throw new IllegalArgumentException("extension " + oid + " has a bad DER length");
      }
      length = 0;
      for (int i = 0; i < lengthBytes; i++) {
        length = (length << 8) | (der[2 + i] & 0xFF);
      }
      start = 2 + lengthBytes;
    }
    if (start + length != der.length) {
      throw new IllegalArgumentException("extension " + oid + " has a bad DER length");
    }
    return Arrays.copyOfRange(der, start, der.length);
  }
}
