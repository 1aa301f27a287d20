package org.hpcs.server.http;

import java.io.IOException;
import java.io.InputStream;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.GeneralSecurityException;
import java.security.KeyFactory;
import java.security.KeyStore;
import java.security.PrivateKey;
import java.security.SecureRandom;
import java.security.cert.Certificate;
import java.security.cert.CertificateFactory;
import java.security.cert.X509Certificate;
import java.security.spec.PKCS8EncodedKeySpec;
import java.util.Base64;
import java.util.Collection;
import javax.net.ssl.KeyManagerFactory;
import javax.net.ssl.SSLContext;
import javax.net.ssl.SSLEngine;
import javax.net.ssl.TrustManager;
import javax.net.ssl.X509ExtendedTrustManager;

/** Builds the server's TLS context from PEM files. */
public final class ServerTls {
  private ServerTls() {}

  /**
   * Creates the context: the server presents the PEM chain and key, and asks clients for a
   * certificate without requiring one.
   *
   * @throws GeneralSecurityException when the PEM files do not hold a matching chain and key
   * @throws IOException when a file cannot be read
   */
  public static SSLContext create(Path certFile, Path keyFile)
      throws GeneralSecurityException, IOException {
    Certificate[] chain = readCertificates(certFile).toArray(new Certificate[0]);
    if (chain.length == 0) {
      throw new GeneralSecurityException("no certificate in " + certFile);
    }
    PrivateKey key = readPrivateKey(keyFile);
    char[] password = new char[0];
    KeyStore store = KeyStore.getInstance("PKCS12");
    store.load(null, password);
    store.setKeyEntry("server", key, password, chain);
    KeyManagerFactory keys = KeyManagerFactory.getInstance(KeyManagerFactory.getDefaultAlgorithm());
    keys.init(store, password);
    SSLContext context = SSLContext.getInstance("TLS");
    context.init(
        keys.getKeyManagers(), new TrustManager[] {new DeferredClientTrust()}, new SecureRandom());
    return context;
  }

  /** Reads every certificate of a PEM file. */
  public static Collection<? extends Certificate> readCertificates(Path file)
      throws GeneralSecurityException, IOException {
    try (InputStream in = Files.newInputStream(file)) {
      return CertificateFactory.getInstance("X.509").generateCertificates(in);
    }
  }

  /** Reads an unencrypted PKCS#8 private key ({@code BEGIN PRIVATE KEY}), EC, RSA or Ed25519. */
  public static PrivateKey readPrivateKey(Path file) throws GeneralSecurityException, IOException {
    String pem = Files.readString(file, StandardCharsets.US_ASCII);
    int begin = pem.indexOf("-----BEGIN PRIVATE KEY-----");
    int end = pem.indexOf("-----END PRIVATE KEY-----");
    if (begin < 0 || end < begin) {
      throw new GeneralSecurityException(
          file
              + " holds no unencrypted PKCS#8 key: convert it with"
              + " 'openssl pkcs8 -topk8 -nocrypt -in KEY -out "
              + file
              + "'");
    }
    String base64 = pem.substring(begin + 27, end).replaceAll("\\s", "");
    PKCS8EncodedKeySpec spec = new PKCS8EncodedKeySpec(Base64.getMimeDecoder().decode(base64));
    for (String algorithm : new String[] {"EC", "RSA", "Ed25519"}) {
      try {
        return KeyFactory.getInstance(algorithm).generatePrivate(spec);
      } catch (GeneralSecurityException e) {
        // Try the next algorithm; PKCS#8 names it, but KeyFactory has no generic parser.
      }
    }
    throw new GeneralSecurityException(file + " holds a key of an unsupported algorithm");
  }

  /**
   * Accepts any client certificate during the handshake; the handshake still proves that the client
   * holds the certificate's key. {@link NodeAuthenticator} verifies the chain against the SPIFFE
   * bundle for every node request, so that a foreign certificate gets a JSON 403 instead of a TLS
   * alert. Server certificates are never checked with this manager.
   */
  private static final class DeferredClientTrust extends X509ExtendedTrustManager {
    @Override
    public void checkClientTrusted(X509Certificate[] chain, String authType) {}

    @Override
    public void checkClientTrusted(X509Certificate[] chain, String authType, Socket socket) {}

    @Override
    public void checkClientTrusted(X509Certificate[] chain, String authType, SSLEngine engine) {}

    @Override
    public void checkServerTrusted(X509Certificate[] chain, String authType)
        throws java.security.cert.CertificateException {
      throw new java.security.cert.CertificateException("server trust is not decided here");
    }

    @Override
    public void checkServerTrusted(X509Certificate[] chain, String authType, Socket socket)
        throws java.security.cert.CertificateException {
      throw new java.security.cert.CertificateException("server trust is not decided here");
    }

    @Override
    public void checkServerTrusted(X509Certificate[] chain, String authType, SSLEngine engine)
        throws java.security.cert.CertificateException {
      throw new java.security.cert.CertificateException("server trust is not decided here");
    }

    @Override
    public X509Certificate[] getAcceptedIssuers() {
      return new X509Certificate[0];
    }
  }
}
