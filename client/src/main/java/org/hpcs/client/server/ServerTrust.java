package org.hpcs.client.server;

import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.security.GeneralSecurityException;
import java.security.KeyStore;
import java.security.cert.Certificate;
import java.security.cert.CertificateException;
import java.security.cert.CertificateFactory;
import java.util.Collection;
import java.util.Optional;
import javax.net.ssl.SSLContext;
import javax.net.ssl.TrustManagerFactory;
import org.hpcs.client.HpcsException;

/**
 * The TLS trust for the HPCS server: the CA certificates of {@code server.ca-file}, or the Java
 * runtime's default trust store when that setting is absent.
 */
final class ServerTrust {
  private ServerTrust() {}

  /**
   * Returns a TLS context that trusts exactly the certificates in {@code caFile}, or the default
   * trust store.
   *
   * @throws HpcsException if the file is missing or contains no PEM or DER certificate
   */
  static SSLContext context(Optional<Path> caFile) throws HpcsException, IOException {
    try {
      if (caFile.isEmpty()) {
        return SSLContext.getDefault();
      }
      KeyStore trust = KeyStore.getInstance(KeyStore.getDefaultType());
      trust.load(null, null);
      int index = 0;
      for (Certificate certificate : read(caFile.get())) {
        trust.setCertificateEntry("ca-" + index++, certificate);
      }
      TrustManagerFactory factory =
          TrustManagerFactory.getInstance(TrustManagerFactory.getDefaultAlgorithm());
      factory.init(trust);
      SSLContext context = SSLContext.getInstance("TLS");
      context.init(null, factory.getTrustManagers(), null);
      return context;
    } catch (GeneralSecurityException e) {
      throw new HpcsException("cannot set up TLS for the HPCS server: " + e.getMessage(), e);
    }
  }

  private static Collection<? extends Certificate> read(Path file)
      throws HpcsException, IOException {
    Collection<? extends Certificate> certificates;
    try (InputStream in = Files.newInputStream(file)) {
      certificates = CertificateFactory.getInstance("X.509").generateCertificates(in);
    } catch (NoSuchFileException e) {
      throw new HpcsException(
          "server.ca-file %s not found".formatted(file),
          "get the CA certificate of the HPCS server from the site admins");
    } catch (CertificateException e) {
      throw new HpcsException(
          "server.ca-file %s contains no readable X.509 certificate (%s)"
              .formatted(file, e.getMessage()),
          e,
          "it must contain PEM blocks '-----BEGIN CERTIFICATE-----'");
    }
    if (certificates.isEmpty()) {
      throw new HpcsException(
          "server.ca-file %s contains no certificate".formatted(file),
          "it must contain PEM blocks '-----BEGIN CERTIFICATE-----'");
    }
    return certificates;
  }
}
