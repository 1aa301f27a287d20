package org.hpcs.attest.sevsnp;

import java.math.BigInteger;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.GeneralSecurityException;
import java.security.KeyPair;
import java.security.KeyPairGenerator;
import java.security.PrivateKey;
import java.security.PublicKey;
import java.security.cert.X509Certificate;
import java.security.spec.ECGenParameterSpec;
import java.time.Duration;
import java.time.Instant;
import java.util.Date;
import org.bouncycastle.asn1.ASN1Integer;
import org.bouncycastle.asn1.ASN1ObjectIdentifier;
import org.bouncycastle.asn1.DEROctetString;
import org.bouncycastle.asn1.x500.X500Name;
import org.bouncycastle.asn1.x509.BasicConstraints;
import org.bouncycastle.asn1.x509.Extension;
import org.bouncycastle.asn1.x509.KeyUsage;
import org.bouncycastle.cert.X509v3CertificateBuilder;
import org.bouncycastle.cert.jcajce.JcaX509CertificateConverter;
import org.bouncycastle.cert.jcajce.JcaX509v3CertificateBuilder;
import org.bouncycastle.jce.provider.BouncyCastleProvider;
import org.bouncycastle.operator.ContentSigner;
import org.bouncycastle.operator.jcajce.JcaContentSignerBuilder;

/**
 * Generates an AMD-shaped key hierarchy for tests: an RSA ARK and ASK that sign with RSASSA-PSS
 * (SHA-384, MGF1 SHA-384, salt 48) as AMD's do, and EC P-384 VCEKs carrying AMD's hwID and TCB
 * extensions.
 */
final class SnpTestPki {
  /** RSASSA-PSS with SHA-384 and a 48-byte salt, in Bouncy Castle's naming. */
  static final String PSS_SHA384 = "SHA384WITHRSAANDMGF1";

  private static final BouncyCastleProvider BOUNCY_CASTLE = new BouncyCastleProvider();

  final KeyPair arkKeys;
  final X509Certificate ark;
  final KeyPair askKeys;
  final X509Certificate ask;
  private long serial = 1;

  SnpTestPki(String product, int rsaBits) throws Exception {
    arkKeys = rsa(rsaBits);
    ark =
        certificate(
            "CN=ARK-" + product,
            arkKeys.getPublic(),
            "CN=ARK-" + product,
            arkKeys.getPrivate(),
            true,
            PSS_SHA384,
            null);
    askKeys = rsa(rsaBits);
    ask =
        certificate(
            "CN=SEV-" + product,
            askKeys.getPublic(),
            "CN=ARK-" + product,
            arkKeys.getPrivate(),
            true,
            PSS_SHA384,
            null);
  }

  /** Issues a VCEK for a chip and reported TCB; returns its key pair and certificate. */
  Vcek vcek(byte[] chipId, TcbVersion tcb) throws Exception {
    KeyPairGenerator generator = KeyPairGenerator.getInstance("EC");
    generator.initialize(new ECGenParameterSpec("secp384r1"));
    return vcek(chipId, tcb, generator.generateKeyPair());
  }

  /** Issues a VCEK certificate for any key pair, such as one on a curve AMD does not use. */
  Vcek vcek(byte[] chipId, TcbVersion tcb, KeyPair keys) throws Exception {
    AmdExtensions extensions = new AmdExtensions(chipId, tcb);
    X509Certificate certificate =
        certificate(
            "CN=SEV-VCEK",
            keys.getPublic(),
            ask.getSubjectX500Principal().getName(),
            askKeys.getPrivate(),
            false,
            PSS_SHA384,
            extensions);
    return new Vcek(keys.getPrivate(), certificate);
  }

  /** Writes the ARK and ASK as PEM files into {@code dir}. */
  void writeTo(Path dir) throws Exception {
    Files.writeString(dir.resolve("ark.pem"), pem(ark));
    Files.writeString(dir.resolve("ask.pem"), pem(ask));
  }

  static String pem(X509Certificate certificate) throws GeneralSecurityException {
    return "-----BEGIN CERTIFICATE-----\n"
        + java.util.Base64.getMimeEncoder(64, new byte[] {'\n'})
            .encodeToString(certificate.getEncoded())
        + "\n-----END CERTIFICATE-----\n";
  }

  private static KeyPair rsa(int bits) throws GeneralSecurityException {
    KeyPairGenerator generator = KeyPairGenerator.getInstance("RSA");
    generator.initialize(bits);
    return generator.generateKeyPair();
  }

  private X509Certificate certificate(
      String subject,
      PublicKey key,
      String issuer,
      PrivateKey issuerKey,
      boolean ca,
      String algorithm,
      AmdExtensions extensions)
      throws Exception {
    Instant now = Instant.now();
    X509v3CertificateBuilder builder =
        new JcaX509v3CertificateBuilder(
            new X500Name(issuer),
            BigInteger.valueOf(serial++),
            Date.from(now.minus(Duration.ofDays(1))),
            Date.from(now.plus(Duration.ofDays(365))),
            new X500Name(subject),
            key);
    if (ca) {
      builder.addExtension(Extension.basicConstraints, true, new BasicConstraints(true));
      builder.addExtension(
          Extension.keyUsage, true, new KeyUsage(KeyUsage.keyCertSign | KeyUsage.cRLSign));
    }
    if (extensions != null) {
      extensions.addTo(builder);
    }
    ContentSigner signer =
        new JcaContentSignerBuilder(algorithm).setProvider(BOUNCY_CASTLE).build(issuerKey);
    return new JcaX509CertificateConverter().getCertificate(builder.build(signer));
  }

  /** A VCEK private key and its certificate. */
  record Vcek(PrivateKey key, X509Certificate certificate) {}

  private static final class AmdExtensions {
    private final byte[] chipId;
    private final TcbVersion tcb;

    AmdExtensions(byte[] chipId, TcbVersion tcb) {
      this.chipId = chipId.clone();
      this.tcb = tcb;
    }

    void addTo(X509v3CertificateBuilder builder) throws Exception {
      builder.addExtension(
          new ASN1ObjectIdentifier("1.3.6.1.4.1.3704.1.4"), false, new DEROctetString(chipId));
      add(builder, "1.3.6.1.4.1.3704.1.3.1", tcb.bootLoader());
      add(builder, "1.3.6.1.4.1.3704.1.3.2", tcb.tee());
      add(builder, "1.3.6.1.4.1.3704.1.3.3", tcb.snp());
      add(builder, "1.3.6.1.4.1.3704.1.3.8", tcb.microcode());
    }

    private static void add(X509v3CertificateBuilder builder, String oid, int value)
        throws Exception {
      builder.addExtension(new ASN1ObjectIdentifier(oid), false, new ASN1Integer(value));
    }
  }
}
