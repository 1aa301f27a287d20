package org.hpcs.attest.sevsnp;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowable;

import java.math.BigInteger;
import java.nio.file.Path;
import java.security.KeyPair;
import java.security.KeyPairGenerator;
import java.security.SecureRandom;
import java.security.spec.ECGenParameterSpec;
import java.time.Instant;
import java.util.Arrays;
import java.util.Base64;
import java.util.HashMap;
import java.util.HexFormat;
import java.util.Map;
import java.util.SplittableRandom;
import org.hpcs.attest.AttestationException;
import org.hpcs.attest.Challenge;
import org.hpcs.attest.Evidence;
import org.hpcs.attest.EvidenceVerifier;
import org.hpcs.attest.VerifierServices;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Reports and certificates an attacker controls: every one is denied with a reason. */
class SevSnpHostileEvidenceTest {
  private static final String NODE = "n1";
  private static final TcbVersion TCB = new TcbVersion(0, 4, 0, 22, 213);
  private static final byte[] MEASUREMENT = filled(48, 0x5A);
  private static final byte[] CHIP_ID = filled(64, 0x11);

  /** The order n of the P-384 group. */
  private static final BigInteger P384_ORDER =
      new BigInteger(
          "ffffffffffffffffffffffffffffffffffffffffffffffffc7634d81f4372ddf581a0db248b0a77aecec196accc52973",
          16);

  /** End of r and s; the reserved rest of the signature field is not signed and not read. */
  private static final int SIGNATURE_END = 0x2A0 + 2 * 72;

  private static SnpTestPki pki;
  private static SnpTestPki.Vcek vcek;

  @TempDir static Path dir;

  private EvidenceVerifier verifier;
  private Challenge challenge;

  @BeforeAll
  static void createPki() throws Exception {
    pki = new SnpTestPki("Milan", 2048);
    pki.writeTo(dir);
    vcek = pki.vcek(CHIP_ID, TCB);
  }

  @BeforeEach
  void createVerifier() throws Exception {
    Map<String, String> config = new HashMap<>();
    config.put("ark-cert", dir.resolve("ark.pem").toString());
    config.put("ask-cert", dir.resolve("ask.pem").toString());
    config.put("measurements", HexFormat.of().formatHex(MEASUREMENT));
    config.put("min-tcb", "bootloader=4,tee=0,snp=22,microcode=213");
    verifier = new SevSnpProvider().verifier(config, VerifierServices.none());
    byte[] nonce = new byte[32];
    new SecureRandom().nextBytes(nonce);
    challenge = new Challenge(nonce, NODE, Instant.now(), Map.of());
  }

  @Test
  void verify_everyWrongLength_deniedMalformed() throws Exception {
    byte[] report = validReport().sign(vcek.key());

    for (int length : new int[] {1, 0x29F, 0x2A0, SnpReport.SIZE - 1, SnpReport.SIZE + 1}) {
      byte[] cut = Arrays.copyOf(report, length);

      assertDenied(evidence(cut, vcek.certificate().getEncoded()), "report-malformed");
    }
  }

  @Test
  void verify_zeroedSignature_deniedSignature() throws Exception {
    byte[] report = validReport().sign(vcek.key());
    Arrays.fill(report, SnpReport.SIGNED_SIZE, SnpReport.SIZE, (byte) 0);

    assertDenied(evidence(report, vcek.certificate().getEncoded()), "report-signature-invalid");
  }

  @Test
  void verify_signatureComponentsOutOfRange_deniedSignature() throws Exception {
    for (BigInteger value : new BigInteger[] {P384_ORDER, P384_ORDER.add(BigInteger.ONE)}) {
      byte[] report = validReport().sign(vcek.key());
      putLittleEndian(report, 0x2A0, value);

      assertDenied(evidence(report, vcek.certificate().getEncoded()), "report-signature-invalid");

      report = validReport().sign(vcek.key());
      putLittleEndian(report, 0x2E8, value);

      assertDenied(evidence(report, vcek.certificate().getEncoded()), "report-signature-invalid");
    }
  }

  @Test
  void verify_vcekOnWrongCurveOrAlgorithm_deniedSignature() throws Exception {
    KeyPairGenerator p256 = KeyPairGenerator.getInstance("EC");
    p256.initialize(new ECGenParameterSpec("secp256r1"));
    KeyPairGenerator rsa = KeyPairGenerator.getInstance("RSA");
    rsa.initialize(2048);
    byte[] report = validReport().sign(vcek.key());

    for (KeyPair keys : new KeyPair[] {p256.generateKeyPair(), rsa.generateKeyPair()}) {
      SnpTestPki.Vcek other = pki.vcek(CHIP_ID, TCB, keys);

      assertDenied(evidence(report, other.certificate().getEncoded()), "report-signature-invalid");
    }
  }

  @Test
  void verify_vcekFieldWithTwoCertificates_deniedChain() throws Exception {
    byte[] report = validReport().sign(vcek.key());
    byte[] one = vcek.certificate().getEncoded();
    byte[] two = Arrays.copyOf(one, one.length * 2);
    System.arraycopy(one, 0, two, one.length, one.length);

    assertDenied(evidence(report, two), "vcek-chain-invalid");
  }

  @Test
  void verify_mutatedReportAndCertificate_alwaysAttestationException() throws Exception {
    byte[] report = validReport().sign(vcek.key());
    byte[] certificate = vcek.certificate().getEncoded();
    SplittableRandom random = new SplittableRandom(20);

    for (int round = 0; round < 400; round++) {
      byte[] badReport = report.clone();
      byte[] badCertificate = certificate.clone();
      if (round % 2 == 0) {
        badReport[random.nextInt(SIGNATURE_END)] ^= (byte) (1 << random.nextInt(8));
      } else {
        int at = random.nextInt(badCertificate.length);
        badCertificate[at] ^= (byte) (1 << random.nextInt(8));
        if (round % 3 == 0) {
          badCertificate = Arrays.copyOf(badCertificate, at);
        }
      }
      Evidence evidence = evidence(badReport, badCertificate);

      Throwable thrown = catchThrowable(() -> verifier.verify(challenge, evidence));

      assertThat(thrown).as("round %d", round).isInstanceOf(AttestationException.class);
    }
  }

  private void assertDenied(Evidence evidence, String reason) {
    Throwable thrown = catchThrowable(() -> verifier.verify(challenge, evidence));

    assertThat(thrown).isInstanceOf(AttestationException.class);
    assertThat(((AttestationException) thrown).reason()).isEqualTo(reason);
  }

  private SnpReportBuilder validReport() {
    return new SnpReportBuilder()
        .reportData(ReportData.compute(NODE, challenge.nonce(), new byte[0]))
        .measurement(MEASUREMENT)
        .tcb(TCB)
        .chipId(CHIP_ID);
  }

  private static Evidence evidence(byte[] report, byte[] certificate) {
    Base64.Encoder base64 = Base64.getEncoder();
    return new Evidence(
        "sev-snp",
        Map.of(
            "report", base64.encodeToString(report),
            "vcekCertificate", base64.encodeToString(certificate)));
  }

  private static void putLittleEndian(byte[] report, int offset, BigInteger value) {
    byte[] big = value.toByteArray();
    Arrays.fill(report, offset, offset + 72, (byte) 0);
    for (int i = 0; i < big.length && i < 48; i++) {
      report[offset + i] = big[big.length - 1 - i];
    }
  }

  private static byte[] filled(int size, int value) {
    byte[] out = new byte[size];
    Arrays.fill(out, (byte) value);
    return out;
  }
}
