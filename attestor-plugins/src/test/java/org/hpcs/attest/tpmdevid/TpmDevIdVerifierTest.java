package org.hpcs.attest.tpmdevid;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.HexFormat;
import java.util.Map;
import org.hpcs.attest.AttestationException;
import org.hpcs.attest.Challenge;
import org.hpcs.attest.Evidence;
import org.hpcs.attest.EvidenceVerifier;
import org.hpcs.attest.MultiRoundVerifier;
import org.hpcs.attest.VerifierServices;
import org.hpcs.attest.internal.Settings;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class TpmDevIdVerifierTest {
  @TempDir Path dir;

  private EvidenceVerifier verifier;

  @BeforeEach
  void createVerifier() throws Exception {
    new TestCa("Site DevID CA").writeCertificate(dir.resolve("ca.pem"));
    Files.writeString(dir.resolve("ek.txt"), "ab".repeat(32) + "\n");
    verifier =
        new TpmDevIdProvider()
            .verifier(
                Map.of(
                    "devid-ca", dir.resolve("ca.pem").toString(),
                    "ek-allow-list", dir.resolve("ek.txt").toString()),
                VerifierServices.none());
  }

  @Test
  void verifier_isMultiRound() {
    assertThat(verifier).isInstanceOf(MultiRoundVerifier.class);
  }

  @Test
  void verify_firstRoundChallenge_deniedRoundMissing() {
    Challenge first = new Challenge(new byte[32], "n1", Instant.now(), Map.of());

    assertDenied(first, TpmDevIdReasons.ROUND_MISSING);
  }

  @Test
  void verify_incompleteFollowUp_deniedRoundMissing() {
    Challenge partial =
        new Challenge(new byte[32], "n1", Instant.now(), Map.of("credentialBlob", "AA=="));

    assertDenied(partial, TpmDevIdReasons.ROUND_MISSING);
  }

  @Test
  void verify_followUpOlderThanTtl_deniedExpired() {
    Challenge old =
        new Challenge(
            new byte[32],
            "n1",
            Instant.now().minusSeconds(301),
            Map.of(
                "credentialBlob", "AA==",
                "credentialSha256", "00",
                "devIdName", "00",
                "ekSha256", "00"));

    assertDenied(old, TpmDevIdReasons.NONCE_EXPIRED);
  }

  @Test
  void followUp_missingFields_deniedMalformed() {
    Challenge first = new Challenge(new byte[32], "n1", Instant.now(), Map.of());

    assertThatThrownBy(
            () ->
                ((MultiRoundVerifier) verifier)
                    .followUp(first, new Evidence("tpm-devid", Map.of())))
        .isInstanceOfSatisfying(
            AttestationException.class, e -> assertThat(e.reason()).isEqualTo("evidence-malformed"))
        .hasMessageContaining("devIdCertificates");
  }

  @Test
  void verifier_noCaAndNoEkCheck_namesEveryKey() {
    assertThatThrownBy(() -> new TpmDevIdProvider().verifier(Map.of(), VerifierServices.none()))
        .isInstanceOfSatisfying(
            AttestationException.class,
            e -> assertThat(e.reason()).isEqualTo(Settings.CONFIG_INVALID))
        .hasMessageContaining("'devid-ca'")
        .hasMessageContaining("ek-allow-list/ek-ca");
  }

  @Test
  void verifier_badAllowListLine_namesLine() throws Exception {
    Files.writeString(dir.resolve("bad.txt"), "not-a-hash\n");
    Map<String, String> config =
        Map.of(
            "devid-ca", dir.resolve("ca.pem").toString(),
            "ek-allow-list", dir.resolve("bad.txt").toString());

    assertThatThrownBy(() -> new TpmDevIdProvider().verifier(config, VerifierServices.none()))
        .hasMessageContaining("not-a-hash");
  }

  @Test
  void nodeAttestor_handleOutsidePersistentRange_rejectsConfig() throws Exception {
    Map<String, String> config =
        Map.of("devid-handle", "0x80000001", "devid-cert", dir.resolve("ca.pem").toString());

    assertThatThrownBy(() -> new TpmDevIdProvider().nodeAttestor(config))
        .hasMessageContaining("devid-handle")
        .hasMessageContaining("0x80000001");
  }

  @Test
  void parse_devIdTemplate_isSigningEccKey() {
    TpmPublicArea area = TpmPublicArea.parse(validEccArea());

    assertThat(area.type()).isEqualTo(TpmPublicArea.ALG_ECC);
    assertThat(area.hasAttributes(TpmTemplates.DEVID_ATTRIBUTES)).isTrue();
    assertThat(area.name()).hasSize(34);
  }

  @Test
  void parse_truncatedArea_throws() {
    byte[] area = validEccArea();
    byte[] truncated = java.util.Arrays.copyOf(area, area.length - 5);

    assertThatThrownBy(() -> TpmPublicArea.parse(truncated))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("truncated");
  }

  @Test
  void p1363_shortComponents_leftPadded() throws Exception {
    byte[] signature = HexFormat.of().parseHex("0018000b" + "0002abcd" + "0001ef");

    byte[] out = TpmDevIdNodeAttestor.p1363(signature);

    assertThat(out).hasSize(64);
    assertThat(HexFormat.of().formatHex(out, 30, 32)).isEqualTo("abcd");
    assertThat(out[63]).isEqualTo((byte) 0xef);
  }

  @Test
  void trimDer_paddedCertificate_cutsPadding() {
    byte[] padded = HexFormat.of().parseHex("30820002aabbffffff");

    assertThat(TpmDevIdNodeAttestor.trimDer(padded))
        .isEqualTo(HexFormat.of().parseHex("30820002aabb"));
  }

  private static byte[] validEccArea() {
    // DevID template with a 32-byte point: the P-256 generator.
    String x = "6b17d1f2e12c4247f8bce6e563a440f277037d812deb33a0f4a13945d898c296";
    String y = "4fe342e2fe1a7f9b8ee7eb4a7c0f9e162bce33576b315ececbb6406837bf51f5";
    String template = HexFormat.of().formatHex(TpmTemplates.devIdEcc());
    return HexFormat.of()
        .parseHex(template.substring(0, template.length() - 8) + "0020" + x + "0020" + y);
  }

  private void assertDenied(Challenge challenge, String reason) {
    assertThatThrownBy(() -> verifier.verify(challenge, new Evidence("tpm-devid", Map.of())))
        .isInstanceOfSatisfying(
            AttestationException.class, e -> assertThat(e.reason()).isEqualTo(reason));
  }
}
