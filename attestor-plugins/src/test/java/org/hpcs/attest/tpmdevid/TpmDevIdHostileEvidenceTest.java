package org.hpcs.attest.tpmdevid;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowable;

import java.math.BigInteger;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.KeyPair;
import java.security.interfaces.ECPublicKey;
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
import org.hpcs.attest.MultiRoundVerifier;
import org.hpcs.attest.VerifierServices;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Claims an attacker controls: every malformed one is denied with a reason, never a crash. */
class TpmDevIdHostileEvidenceTest {
  @TempDir Path dir;

  private MultiRoundVerifier verifier;
  private Map<String, String> validFields;

  @BeforeEach
  void createVerifier() throws Exception {
    TestCa ca = new TestCa("Site DevID CA");
    ca.writeCertificate(dir.resolve("ca.pem"));
    KeyPair devId = TestCa.ecKeyPair();
    byte[] modulus = new byte[256];
    new SplittableRandom(3).nextBytes(modulus);
    modulus[0] |= (byte) 0x80;
    byte[] ekArea = TpmTemplates.endorsementKeyRsa2048(modulus);
    String ekHash = DevIdClaim.sha256Hex(TpmPublicArea.parse(ekArea).publicKey().getEncoded());
    Files.writeString(dir.resolve("ek.txt"), ekHash + "\n");
    verifier =
        (MultiRoundVerifier)
            new TpmDevIdProvider()
                .verifier(
                    Map.of(
                        "devid-ca", dir.resolve("ca.pem").toString(),
                        "ek-allow-list", dir.resolve("ek.txt").toString()),
                    VerifierServices.none());
    Base64.Encoder base64 = Base64.getEncoder();
    validFields = new HashMap<>();
    validFields.put(
        EvidenceNames.DEVID_CERTIFICATES,
        base64.encodeToString(ca.issueDevId("n1", devId.getPublic()).getEncoded()));
    validFields.put(EvidenceNames.DEVID_PUBLIC, base64.encodeToString(eccArea(devId)));
    validFields.put(EvidenceNames.EK_PUBLIC, base64.encodeToString(ekArea));
  }

  @Test
  void followUp_validClaim_returnsCredentialChallenge() throws Exception {
    Challenge first = new Challenge(new byte[32], "n1", Instant.now(), Map.of());

    Challenge next = verifier.followUp(first, new Evidence("tpm-devid", validFields)).orElseThrow();

    assertThat(next.parameters()).containsKey(EvidenceNames.CREDENTIAL_BLOB);
  }

  @Test
  void followUp_mutatedFields_alwaysAttestationException() throws Exception {
    Challenge first = new Challenge(new byte[32], "n1", Instant.now(), Map.of());
    SplittableRandom random = new SplittableRandom(11);
    String[] names = {
      EvidenceNames.DEVID_CERTIFICATES, EvidenceNames.DEVID_PUBLIC, EvidenceNames.EK_PUBLIC
    };

    for (int round = 0; round < 600; round++) {
      String name = names[round % names.length];
      byte[] value = Base64.getDecoder().decode(validFields.get(name));
      int at = random.nextInt(value.length);
      switch (round / names.length % 4) {
        case 0 -> value[at] ^= (byte) (1 << random.nextInt(8));
        case 1 -> value = Arrays.copyOf(value, at);
        case 2 -> value = Arrays.copyOf(value, value.length + 1 + random.nextInt(300));
        default -> value[at] = (byte) 0xff;
      }
      Map<String, String> fields = new HashMap<>(validFields);
      fields.put(name, Base64.getEncoder().encodeToString(value));
      Evidence evidence = new Evidence("tpm-devid", fields);

      Throwable thrown = catchThrowable(() -> verifier.followUp(first, evidence));

      if (thrown != null) {
        assertThat(thrown)
            .as("round %d, field %s", round, name)
            .isInstanceOf(AttestationException.class);
      }
    }
  }

  @Test
  void followUp_fieldsNotBase64_deniedMalformed() {
    Challenge first = new Challenge(new byte[32], "n1", Instant.now(), Map.of());
    for (String bad : new String[] {"%%%", "QUJD\nREVG", "AAAA===", "\u00e9"}) {
      Map<String, String> fields = new HashMap<>(validFields);
      fields.put(EvidenceNames.DEVID_PUBLIC, bad);

      Throwable thrown =
          catchThrowable(() -> verifier.followUp(first, new Evidence("tpm-devid", fields)));

      assertThat(thrown).as(bad).isInstanceOf(AttestationException.class);
      assertThat(((AttestationException) thrown).reason()).isEqualTo("evidence-malformed");
    }
  }

  private static byte[] eccArea(KeyPair keys) {
    ECPublicKey key = (ECPublicKey) keys.getPublic();
    String template = HexFormat.of().formatHex(TpmTemplates.devIdEcc());
    return HexFormat.of()
        .parseHex(
            template.substring(0, template.length() - 8)
                + "0020"
                + coordinate(key.getW().getAffineX())
                + "0020"
                + coordinate(key.getW().getAffineY()));
  }

  private static String coordinate(BigInteger value) {
    String hex = value.toString(16);
    return "0".repeat(64 - hex.length()) + hex;
  }
}
