package org.hpcs.attest.sevsnp;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.file.Files;
import java.nio.file.Path;
import java.security.SecureRandom;
import java.time.Instant;
import java.util.Arrays;
import java.util.Base64;
import java.util.HashMap;
import java.util.HexFormat;
import java.util.Map;
import org.hpcs.attest.AttestationException;
import org.hpcs.attest.AttestedNode;
import org.hpcs.attest.Challenge;
import org.hpcs.attest.Evidence;
import org.hpcs.attest.EvidenceVerifier;
import org.hpcs.attest.VerifierServices;
import org.hpcs.attest.internal.Settings;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class SevSnpVerifierTest {
  private static final String NODE = "n1";
  private static final TcbVersion TCB = new TcbVersion(0, 4, 0, 22, 213);
  private static final byte[] MEASUREMENT = filled(48, 0x5A);
  private static final byte[] CHIP_ID = filled(64, 0x11);

  private static SnpTestPki pki;
  private static SnpTestPki.Vcek vcek;

  @TempDir static Path dir;

  private EvidenceVerifier verifier;
  private Challenge challenge;

  @BeforeAll
  static void createPki() throws Exception {
    pki = new SnpTestPki("Milan", 4096);
    pki.writeTo(dir);
    vcek = pki.vcek(CHIP_ID, TCB);
  }

  @BeforeEach
  void createVerifier() throws Exception {
    verifier = new SevSnpProvider().verifier(config(Map.of()), VerifierServices.none());
    byte[] nonce = new byte[32];
    new SecureRandom().nextBytes(nonce);
    challenge = new Challenge(nonce, NODE, Instant.now(), Map.of());
  }

  @Test
  void verify_validReport_returnsNodeWithMeasurement() throws Exception {
    AttestedNode node = verifier.verify(challenge, evidence(validReport().sign(vcek.key())));

    assertThat(node.nodeName()).isEqualTo(NODE);
    assertThat(node.attestor()).isEqualTo("sev-snp");
    assertThat(node.selectors())
        .containsEntry("measurement", HexFormat.of().formatHex(MEASUREMENT));
    assertThat(node.selectors()).containsEntry("chip-id", HexFormat.of().formatHex(CHIP_ID));
  }

  @Test
  void verify_chainSignedWithRsaPss_accepted() throws Exception {
    assertThat(pki.ask.getSigAlgName()).isEqualTo("RSASSA-PSS");
    assertThat(vcek.certificate().getSigAlgName()).isEqualTo("RSASSA-PSS");

    assertThat(verifier.verify(challenge, evidence(validReport().sign(vcek.key())))).isNotNull();
  }

  @Test
  void verify_reportVersion2_accepted() throws Exception {
    byte[] report = validReport().version(2).sign(vcek.key());

    assertThat(verifier.verify(challenge, evidence(report)).nodeName()).isEqualTo(NODE);
  }

  @Test
  void verify_signedByteChanged_deniedBadSignature() throws Exception {
    byte[] report = validReport().sign(vcek.key());
    report[0x0C0] ^= 1; // host data, covered by the signature

    assertDenied(evidence(report), SevSnpReasons.SIGNATURE_INVALID);
  }

  @Test
  void verify_signatureFromOtherKey_deniedBadSignature() throws Exception {
    SnpTestPki.Vcek other = pki.vcek(CHIP_ID, TCB);
    byte[] report = validReport().sign(other.key());

    assertDenied(evidence(report), SevSnpReasons.SIGNATURE_INVALID);
  }

  @Test
  void verify_vcekFromOtherAsk_deniedChain() throws Exception {
    SnpTestPki otherPki = new SnpTestPki("Genoa", 2048);
    SnpTestPki.Vcek foreign = otherPki.vcek(CHIP_ID, TCB);
    byte[] report = validReport().sign(foreign.key());

    assertDenied(evidence(report, foreign), SevSnpReasons.VCEK_CHAIN_INVALID);
  }

  @Test
  void verify_vcekForOtherChip_deniedMismatch() throws Exception {
    SnpTestPki.Vcek otherChip = pki.vcek(filled(64, 0x22), TCB);
    byte[] report = validReport().sign(otherChip.key());

    assertDenied(evidence(report, otherChip), SevSnpReasons.VCEK_MISMATCH);
  }

  @Test
  void verify_debugBitSet_denied() throws Exception {
    byte[] report = validReport().policy(0x30000L | (1L << 19)).sign(vcek.key());

    assertDenied(evidence(report), SevSnpReasons.DEBUG_ENABLED);
  }

  @Test
  void verify_reportForOlderNonce_deniedReportData() throws Exception {
    byte[] staleNonce = new byte[32];
    byte[] data = ReportData.compute(NODE, staleNonce, new byte[0]);
    byte[] report = validReport().reportData(data).sign(vcek.key());

    assertDenied(evidence(report), SevSnpReasons.REPORT_DATA_MISMATCH);
  }

  @Test
  void verify_reportForOtherNode_deniedReportData() throws Exception {
    byte[] data = ReportData.compute("n2", challenge.nonce(), new byte[0]);
    byte[] report = validReport().reportData(data).sign(vcek.key());

    assertDenied(evidence(report), SevSnpReasons.REPORT_DATA_MISMATCH);
  }

  @Test
  void verify_challengeOlderThanTtl_deniedExpired() throws Exception {
    Challenge old =
        new Challenge(challenge.nonce(), NODE, Instant.now().minusSeconds(301), Map.of());

    assertThatThrownBy(() -> verifier.verify(old, evidence(validReport().sign(vcek.key()))))
        .isInstanceOfSatisfying(
            AttestationException.class,
            e -> assertThat(e.reason()).isEqualTo(SevSnpReasons.NONCE_EXPIRED));
  }

  @Test
  void verify_challengeWithoutIssueTime_denied() throws Exception {
    Challenge untimed = new Challenge(challenge.nonce(), NODE);

    assertThatThrownBy(() -> verifier.verify(untimed, evidence(validReport().sign(vcek.key()))))
        .isInstanceOfSatisfying(
            AttestationException.class,
            e -> assertThat(e.reason()).isEqualTo(SevSnpReasons.ISSUE_TIME_MISSING));
  }

  @Test
  void verify_sameNonceTwice_deniedReplay() throws Exception {
    Evidence evidence = evidence(validReport().sign(vcek.key()));
    verifier.verify(challenge, evidence);

    assertDenied(evidence, SevSnpReasons.NONCE_REPLAYED);
  }

  @Test
  void verify_measurementNotAllowed_denied() throws Exception {
    byte[] report = validReport().measurement(filled(48, 0x33)).sign(vcek.key());

    assertDenied(evidence(report), SevSnpReasons.MEASUREMENT_NOT_ALLOWED);
  }

  @Test
  void verify_tcbBelowMinimum_denied() throws Exception {
    TcbVersion old = new TcbVersion(0, 4, 0, 21, 213);
    SnpTestPki.Vcek oldVcek = pki.vcek(CHIP_ID, old);
    byte[] report = validReport().tcb(old).sign(oldVcek.key());

    assertDenied(evidence(report, oldVcek), SevSnpReasons.TCB_BELOW_MINIMUM);
  }

  @Test
  void verify_vcekTcbDiffersFromReport_deniedMismatch() throws Exception {
    TcbVersion newer = new TcbVersion(0, 4, 0, 23, 213);
    byte[] report = validReport().tcb(newer).sign(vcek.key());

    assertDenied(evidence(report), SevSnpReasons.VCEK_MISMATCH);
  }

  @Test
  void verify_unsupportedVersion_denied() throws Exception {
    byte[] report = validReport().version(6).sign(vcek.key());

    assertDenied(evidence(report), SevSnpReasons.VERSION_UNSUPPORTED);
  }

  @Test
  void verify_vlekSigned_denied() throws Exception {
    byte[] report = validReport().signingKey(1).sign(vcek.key());

    assertDenied(evidence(report), SevSnpReasons.SIGNING_KEY_UNSUPPORTED);
  }

  @Test
  void verify_vmplAboveMaximum_denied() throws Exception {
    byte[] report = validReport().vmpl(2).sign(vcek.key());

    assertDenied(evidence(report), SevSnpReasons.VMPL_NOT_ALLOWED);
  }

  @Test
  void verify_shortReport_deniedMalformed() throws Exception {
    byte[] report = Arrays.copyOf(validReport().sign(vcek.key()), 0x2A0);

    assertDenied(evidence(report), SevSnpReasons.REPORT_MALFORMED);
  }

  @Test
  void verify_signaturePaddingSet_deniedMalformed() throws Exception {
    byte[] report = validReport().sign(vcek.key());
    report[0x2A0 + 60] = 1; // beyond the 48 bytes of r

    assertDenied(evidence(report), SevSnpReasons.REPORT_MALFORMED);
  }

  @Test
  void verify_missingReportField_deniedEvidenceMalformed() throws Exception {
    Map<String, String> fields = new HashMap<>(evidence(validReport().sign(vcek.key())).fields());
    fields.remove("report");

    assertDenied(new Evidence("sev-snp", fields), "evidence-malformed");
  }

  @Test
  void verify_agentKeyBound_returnsKeyHashSelector() throws Exception {
    byte[] agentKey = vcek.certificate().getPublicKey().getEncoded();
    byte[] data = ReportData.compute(NODE, challenge.nonce(), agentKey);
    Map<String, String> fields =
        new HashMap<>(evidence(validReport().reportData(data).sign(vcek.key())).fields());
    fields.put("agentPublicKey", Base64.getEncoder().encodeToString(agentKey));

    AttestedNode node = verifier.verify(challenge, new Evidence("sev-snp", fields));

    assertThat(node.selectors()).containsKey("agent-public-key-sha256");
  }

  @Test
  void verifier_missingKeys_namesEveryKey() {
    assertThatThrownBy(() -> new SevSnpProvider().verifier(Map.of(), VerifierServices.none()))
        .isInstanceOfSatisfying(
            AttestationException.class,
            e -> assertThat(e.reason()).isEqualTo(Settings.CONFIG_INVALID))
        .hasMessageContaining("'ark-cert'")
        .hasMessageContaining("'ask-cert'")
        .hasMessageContaining("'measurements'");
  }

  @Test
  void verifier_badMinimumTcb_namesValue() {
    Map<String, String> config = config(Map.of("min-tcb", "snp=x"));

    assertThatThrownBy(() -> new SevSnpProvider().verifier(config, VerifierServices.none()))
        .hasMessageContaining("snp=x")
        .hasMessageContaining("min-tcb");
  }

  @Test
  void verifier_askNotSignedByArk_rejectsConfig() throws Exception {
    SnpTestPki other = new SnpTestPki("Genoa", 2048);
    Path otherAsk = dir.resolve("ask-not-signed-by-ark.pem");
    Files.writeString(otherAsk, SnpTestPki.pem(other.ask));
    Map<String, String> config = config(Map.of("ask-cert", otherAsk.toString()));

    assertThatThrownBy(() -> new SevSnpProvider().verifier(config, VerifierServices.none()))
        .hasMessageContaining("not signed by the ARK");
  }

  private static Map<String, String> config(Map<String, String> overrides) {
    Map<String, String> config = new HashMap<>();
    config.put("ark-cert", dir.resolve("ark.pem").toString());
    config.put("ask-cert", dir.resolve("ask.pem").toString());
    config.put("measurements", HexFormat.of().formatHex(MEASUREMENT));
    config.put("min-tcb", "bootloader=4,tee=0,snp=22,microcode=213");
    config.putAll(overrides);
    return config;
  }

  private SnpReportBuilder validReport() {
    return new SnpReportBuilder()
        .reportData(ReportData.compute(NODE, challenge.nonce(), new byte[0]))
        .measurement(MEASUREMENT)
        .tcb(TCB)
        .chipId(CHIP_ID);
  }

  private static Evidence evidence(byte[] report) throws Exception {
    return evidence(report, vcek);
  }

  private static Evidence evidence(byte[] report, SnpTestPki.Vcek signer) throws Exception {
    Base64.Encoder base64 = Base64.getEncoder();
    return new Evidence(
        "sev-snp",
        Map.of(
            "report", base64.encodeToString(report),
            "vcekCertificate", base64.encodeToString(signer.certificate().getEncoded())));
  }

  private void assertDenied(Evidence evidence, String reason) {
    assertThatThrownBy(() -> verifier.verify(challenge, evidence))
        .isInstanceOfSatisfying(
            AttestationException.class, e -> assertThat(e.reason()).isEqualTo(reason));
  }

  private static byte[] filled(int size, int value) {
    byte[] out = new byte[size];
    Arrays.fill(out, (byte) value);
    return out;
  }
}
