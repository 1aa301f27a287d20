package org.hpcs.server.testing;

import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.GeneralSecurityException;
import java.security.KeyStore;
import java.security.PrivateKey;
import java.security.cert.Certificate;
import java.util.ArrayList;
import java.util.List;
import javax.net.ssl.KeyManagerFactory;
import javax.net.ssl.SSLContext;
import javax.net.ssl.TrustManagerFactory;
import org.hpcs.server.http.ServerTls;

/**
 * Test certificates made with the openssl command: a SPIFFE CA for trust domain hpcs.test with node
 * leaves, a foreign CA with a node leaf, and a server CA with a localhost server certificate.
 */
public final class TestPki {
  private final Path dir;

  private TestPki(Path dir) {
    this.dir = dir;
  }

  /** Creates every certificate in the directory. */
  public static TestPki create(Path dir) throws IOException, InterruptedException {
    TestPki pki = new TestPki(dir);
    pki.ca("spiffe-ca");
    pki.ca("foreign-ca");
    pki.ca("server-ca");
    for (String node : List.of("n1", "n2", "n3")) {
      pki.leaf("spiffe-ca", node, "URI:spiffe://hpcs.test/hpcs/node/" + node);
    }
    pki.leaf("foreign-ca", "foreign-n1", "URI:spiffe://hpcs.test/hpcs/node/n1");
    pki.leaf("spiffe-ca", "workload", "URI:spiffe://hpcs.test/some/workload");
    pki.leaf("server-ca", "server", "DNS:localhost,IP:127.0.0.1");
    return pki;
  }

  /** Returns a file of the PKI, for example {@code server.crt}. */
  public Path file(String name) {
    return dir.resolve(name);
  }

  /** Returns the SPIFFE CA in PEM, as the SPIRE server would return the bundle. */
  public String spiffeBundlePem() throws IOException {
    return Files.readString(file("spiffe-ca.crt"), StandardCharsets.US_ASCII);
  }

  /** Returns a client TLS context that trusts the server CA and presents the leaf, if any. */
  public SSLContext clientContext(String leaf) throws GeneralSecurityException, IOException {
    char[] password = new char[0];
    KeyStore trust = KeyStore.getInstance("PKCS12");
    trust.load(null, password);
    int i = 0;
    for (Certificate ca : ServerTls.readCertificates(file("server-ca.crt"))) {
      trust.setCertificateEntry("ca" + i++, ca);
    }
    TrustManagerFactory trustFactory =
        TrustManagerFactory.getInstance(TrustManagerFactory.getDefaultAlgorithm());
    trustFactory.init(trust);
    KeyManagerFactory keyFactory =
        KeyManagerFactory.getInstance(KeyManagerFactory.getDefaultAlgorithm());
    KeyStore keys = KeyStore.getInstance("PKCS12");
    keys.load(null, password);
    if (leaf != null) {
      PrivateKey key = ServerTls.readPrivateKey(file(leaf + ".key"));
      List<Certificate> chain = new ArrayList<>(ServerTls.readCertificates(file(leaf + ".crt")));
      keys.setKeyEntry("client", key, password, chain.toArray(new Certificate[0]));
    }
    keyFactory.init(keys, password);
    SSLContext context = SSLContext.getInstance("TLS");
    context.init(keyFactory.getKeyManagers(), trustFactory.getTrustManagers(), null);
    return context;
  }

  private void ca(String name) throws IOException, InterruptedException {
    openssl(
        "req",
        "-x509",
        "-newkey",
        "ec",
        "-pkeyopt",
        "ec_paramgen_curve:P-256",
        "-nodes",
        "-keyout",
        name + ".key",
        "-out",
        name + ".crt",
        "-days",
        "2",
        "-subj",
        "/O=HPCS test/CN=" + name,
        "-addext",
        "basicConstraints=critical,CA:TRUE",
        "-addext",
        "keyUsage=critical,keyCertSign,cRLSign");
  }

  private void leaf(String ca, String name, String san) throws IOException, InterruptedException {
    Files.writeString(
        file(name + ".ext"),
        "basicConstraints=critical,CA:FALSE\n"
            + "keyUsage=critical,digitalSignature,keyAgreement\n"
            + "extendedKeyUsage=clientAuth,serverAuth\n"
            + "subjectAltName="
            + san
            + "\n");
    openssl(
        "req",
        "-new",
        "-newkey",
        "ec",
        "-pkeyopt",
        "ec_paramgen_curve:P-256",
        "-nodes",
        "-keyout",
        name + ".key",
        "-subj",
        "/O=HPCS test",
        "-out",
        name + ".csr");
    openssl(
        "x509",
        "-req",
        "-in",
        name + ".csr",
        "-CA",
        ca + ".crt",
        "-CAkey",
        ca + ".key",
        "-CAcreateserial",
        "-days",
        "2",
        "-extfile",
        name + ".ext",
        "-out",
        name + ".crt");
  }

  private void openssl(String... args) throws IOException, InterruptedException {
    List<String> command = new ArrayList<>();
    command.add("openssl");
    command.addAll(List.of(args));
    Process process =
        new ProcessBuilder(command).directory(dir.toFile()).redirectErrorStream(true).start();
    String output;
    try (InputStream in = process.getInputStream()) {
      output = new String(in.readAllBytes(), StandardCharsets.UTF_8);
    }
    if (process.waitFor() != 0) {
      throw new IOException("openssl " + String.join(" ", args) + " failed: " + output);
    }
  }
}
