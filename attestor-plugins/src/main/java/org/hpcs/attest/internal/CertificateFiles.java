package org.hpcs.attest.internal;

import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.cert.CertificateException;
import java.security.cert.CertificateFactory;
import java.security.cert.X509Certificate;
import java.util.ArrayList;
import java.util.List;

/** Reads X.509 certificates from PEM or DER bytes and files. */
public final class CertificateFiles {
  private CertificateFiles() {}

  /**
   * Reads every certificate in a PEM or DER file.
   *
   * @throws IOException when the file cannot be read or holds no certificate
   */
  public static List<X509Certificate> read(Path file) throws IOException {
    byte[] bytes = Files.readAllBytes(file);
    try {
      List<X509Certificate> certificates = parse(bytes);
      if (certificates.isEmpty()) {
        throw new IOException(file + " contains no X.509 certificate; expected PEM or DER");
      }
      return certificates;
    } catch (CertificateException e) {
      throw new IOException(
          file + " is not a valid X.509 certificate file (PEM or DER): " + e.getMessage(), e);
    }
  }

  /** Parses every certificate in PEM or DER bytes. */
  public static List<X509Certificate> parse(byte[] bytes) throws CertificateException {
    CertificateFactory factory = CertificateFactory.getInstance("X.509");
    List<X509Certificate> out = new ArrayList<>();
    for (var certificate : factory.generateCertificates(new ByteArrayInputStream(bytes))) {
      out.add((X509Certificate) certificate);
    }
    return out;
  }
}
