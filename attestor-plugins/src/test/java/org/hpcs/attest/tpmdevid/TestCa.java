package org.hpcs.attest.tpmdevid;

import java.math.BigInteger;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.KeyPair;
import java.security.KeyPairGenerator;
import java.security.PublicKey;
import java.security.cert.X509Certificate;
import java.security.spec.ECGenParameterSpec;
import java.time.Duration;
import java.time.Instant;
import java.util.Base64;
import java.util.Date;
import org.bouncycastle.asn1.x500.X500Name;
import org.bouncycastle.asn1.x509.BasicConstraints;
import org.bouncycastle.asn1.x509.Extension;
import org.bouncycastle.asn1.x509.GeneralName;
import org.bouncycastle.asn1.x509.GeneralNames;
import org.bouncycastle.asn1.x509.KeyUsage;
import org.bouncycastle.cert.X509v3CertificateBuilder;
import org.bouncycastle.cert.jcajce.JcaX509CertificateConverter;
import org.bouncycastle.cert.jcajce.JcaX509v3CertificateBuilder;
import org.bouncycastle.operator.jcajce.JcaContentSignerBuilder;

/** A throwaway EC P-256 certificate authority that issues DevID certificates in tests. */
final class TestCa {
  private final KeyPair keys;
  private final X509Certificate certificate;
  private final X500Name name;
  private long serial = 2;

  TestCa(String commonName) throws Exception {
    keys = ecKeyPair();
    name = new X500Name("O=HPCS Test,CN=" + commonName);
    X509v3CertificateBuilder builder = builder(name, keys.getPublic(), 1);
    builder.addExtension(Extension.basicConstraints, true, new BasicConstraints(true));
    builder.addExtension(
        Extension.keyUsage, true, new KeyUsage(KeyUsage.keyCertSign | KeyUsage.cRLSign));
    certificate = sign(builder);
  }

  static KeyPair ecKeyPair() throws Exception {
    KeyPairGenerator generator = KeyPairGenerator.getInstance("EC");
    generator.initialize(new ECGenParameterSpec("secp256r1"));
    return generator.generateKeyPair();
  }

  X509Certificate certificate() {
    return certificate;
  }

  /** Issues a DevID certificate with subject CN and DNS name {@code node}. */
  X509Certificate issueDevId(String node, PublicKey key) throws Exception {
    X509v3CertificateBuilder builder =
        builder(new X500Name("O=HPCS Test,CN=" + node), key, serial++);
    builder.addExtension(Extension.basicConstraints, true, new BasicConstraints(false));
    builder.addExtension(Extension.keyUsage, true, new KeyUsage(KeyUsage.digitalSignature));
    builder.addExtension(
        Extension.subjectAlternativeName,
        false,
        new GeneralNames(new GeneralName(GeneralName.dNSName, node)));
    return sign(builder);
  }

  void writeCertificate(Path file) throws Exception {
    Files.writeString(file, pem(certificate));
  }

  static String pem(X509Certificate certificate) throws Exception {
    return "-----BEGIN CERTIFICATE-----\n"
        + Base64.getMimeEncoder(64, new byte[] {'\n'}).encodeToString(certificate.getEncoded())
        + "\n-----END CERTIFICATE-----\n";
  }

  private X509v3CertificateBuilder builder(X500Name subject, PublicKey key, long number) {
    Instant now = Instant.now();
    return new JcaX509v3CertificateBuilder(
        name == null ? subject : name,
        BigInteger.valueOf(number),
        Date.from(now.minus(Duration.ofDays(1))),
        Date.from(now.plus(Duration.ofDays(30))),
        subject,
        key);
  }

  private X509Certificate sign(X509v3CertificateBuilder builder) throws Exception {
    return new JcaX509CertificateConverter()
        .getCertificate(
            builder.build(new JcaContentSignerBuilder("SHA256withECDSA").build(keys.getPrivate())));
  }
}
