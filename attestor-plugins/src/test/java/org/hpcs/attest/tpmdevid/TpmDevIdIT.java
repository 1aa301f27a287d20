package org.hpcs.attest.tpmdevid;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.ByteBuffer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.KeyPair;
import java.security.KeyPairGenerator;
import java.security.SecureRandom;
import java.security.Signature;
import java.security.cert.X509Certificate;
import java.security.interfaces.ECPublicKey;
import java.security.interfaces.RSAPublicKey;
import java.time.Instant;
import java.util.Base64;
import java.util.HashMap;
import java.util.Map;
import org.hpcs.attest.AttestationException;
import org.hpcs.attest.AttestedNode;
import org.hpcs.attest.Challenge;
import org.hpcs.attest.Evidence;
import org.hpcs.attest.MultiRoundVerifier;
import org.hpcs.attest.NodeAttestor;
import org.hpcs.attest.VerifierServices;
import org.hpcs.attest.tpmdevid.tss.TpmContext;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * tpm-devid against a real swtpm that this class starts on a free loopback port, manufactures with
 * swtpm_setup (EK certificate) and provisions with {@link ProvisionCommand}.
 */
class TpmDevIdIT {
  private static final String NODE = "n1";
  private static final int DEVID_HANDLE = 0x81010002;

  @TempDir static Path dir;

  private static Swtpm swtpm;
  private static TestCa siteCa;
  private static String ekSha256;
  private static Path devIdCert;

  @BeforeAll
  static void provisionNode() throws Exception {
    swtpm = Swtpm.start(dir.resolve("tpm"));
    Path publicKey = dir.resolve("devid.pub.pem");
    int exit =
        ProvisionCommand.run(
            "--tcti",
            swtpm.tcti(),
            "--handle",
            "0x81010002",
            "--public-key-out",
            publicKey.toString());
    assertThat(exit).isZero();

    siteCa = new TestCa("Site DevID CA");
    siteCa.writeCertificate(dir.resolve("site-ca.pem"));
    devIdCert = dir.resolve("devid.pem");
    X509Certificate certificate = siteCa.issueDevId(NODE, tpmDevIdKey());
    Files.writeString(devIdCert, TestCa.pem(certificate));
    try (TpmContext tpm = TpmContext.open(swtpm.tcti())) {
      TpmPublicArea ek = TpmPublicArea.parse(tpm.readPublic(0x81010001));
      ekSha256 = DevIdClaim.sha256Hex(ek.publicKey().getEncoded());
    }
    Files.writeString(dir.resolve("ek-allow.txt"), "# test TPM\n" + ekSha256 + "\n");
  }

  @AfterAll
  static void stopSwtpm() throws Exception {
    if (swtpm != null) {
      swtpm.stop();
    }
  }

  @Test
  void enrol_genuineNode_accepted() throws Exception {
    MultiRoundVerifier verifier = verifier(Map.of());
    Challenge first = firstChallenge();

    Challenge followUp = verifier.followUp(first, node().attest(first)).orElseThrow();
    AttestedNode attested = verifier.verify(followUp, node().attest(followUp));

    assertThat(attested.nodeName()).isEqualTo(NODE);
    assertThat(attested.attestor()).isEqualTo("tpm-devid");
    assertThat(attested.selectors()).containsEntry("ek-sha256", ekSha256);
    assertThat(verifier.followUp(followUp, node().attest(followUp))).isEmpty();
  }

  @Test
  void enrol_ekAllowListOnly_accepted() throws Exception {
    MultiRoundVerifier verifier = verifier(Map.of("ek-ca", ""));
    Challenge first = firstChallenge();

    Challenge followUp = verifier.followUp(first, node().attest(first)).orElseThrow();

    assertThat(verifier.verify(followUp, node().attest(followUp)).nodeName()).isEqualTo(NODE);
  }

  @Test
  void followUp_devIdFromOtherCa_deniedChain() throws Exception {
    TestCa rogue = new TestCa("Rogue CA");
    Path rogueCert = dir.resolve("devid-rogue.pem");
    Files.writeString(rogueCert, TestCa.pem(rogue.issueDevId(NODE, tpmDevIdKey())));
    NodeAttestor node = node(Map.of("devid-cert", rogueCert.toString()));
    Challenge first = firstChallenge();

    assertDenied(
        () -> verifier(Map.of()).followUp(first, node.attest(first)),
        TpmDevIdReasons.DEVID_CHAIN_INVALID);
  }

  @Test
  void followUp_certificateForOtherNode_deniedNodeMismatch() throws Exception {
    Challenge forOther = new Challenge(nonce(), "n2", Instant.now(), Map.of());

    assertDenied(
        () -> verifier(Map.of()).followUp(forOther, node().attest(forOther)),
        TpmDevIdReasons.DEVID_NODE_MISMATCH);
  }

  @Test
  void verify_signatureFromKeyNotInTpm_deniedSignature() throws Exception {
    MultiRoundVerifier verifier = verifier(Map.of());
    Challenge first = firstChallenge();
    Challenge followUp = verifier.followUp(first, node().attest(first)).orElseThrow();
    KeyPair software = TestCa.ecKeyPair();
    byte[] forged = signP1363(software, ProofMessage.of(NODE, followUp.nonce()));
    Evidence evidence =
        with(node().attest(followUp), "signature", Base64.getEncoder().encodeToString(forged));

    assertDenied(() -> verifier.verify(followUp, evidence), TpmDevIdReasons.SIGNATURE_INVALID);
  }

  @Test
  void verify_certifiedSoftwareKey_activationFails() throws Exception {
    // A node that holds a CA-signed certificate for a key outside the TPM and claims it is a
    // TPM key: the claim passes, but the TPM cannot activate a credential for that key's name.
    KeyPair software = TestCa.ecKeyPair();
    Path softwareCert = dir.resolve("devid-software.pem");
    Files.writeString(softwareCert, TestCa.pem(siteCa.issueDevId(NODE, software.getPublic())));
    byte[] fakeArea = eccDevIdArea((ECPublicKey) software.getPublic());
    MultiRoundVerifier verifier = verifier(Map.of());
    Challenge first = firstChallenge();
    Evidence claim =
        with(
            node(Map.of("devid-cert", softwareCert.toString())).attest(first),
            "devIdPublic",
            Base64.getEncoder().encodeToString(fakeArea));
    Challenge followUp = verifier.followUp(first, claim).orElseThrow();

    assertDenied(() -> node().attest(followUp), TpmDevIdReasons.TPM_ACTIVATION_FAILED);

    byte[] signature = signP1363(software, ProofMessage.of(NODE, followUp.nonce()));
    Map<String, String> answer = new HashMap<>(claim.fields());
    answer.put("signature", Base64.getEncoder().encodeToString(signature));
    answer.put("activatedCredential", Base64.getEncoder().encodeToString(new byte[32]));
    assertDenied(
        () -> verifier.verify(followUp, new Evidence("tpm-devid", answer)),
        TpmDevIdReasons.CREDENTIAL_ACTIVATION_FAILED);
  }

  @Test
  void verify_replayedNonce_denied() throws Exception {
    MultiRoundVerifier verifier = verifier(Map.of());
    Challenge first = firstChallenge();
    Challenge followUp = verifier.followUp(first, node().attest(first)).orElseThrow();
    Evidence answer = node().attest(followUp);
    verifier.verify(followUp, answer);

    assertDenied(() -> verifier.verify(followUp, answer), TpmDevIdReasons.NONCE_REPLAYED);
  }

  @Test
  void followUp_ekNotOnAllowList_denied() throws Exception {
    Path otherList = dir.resolve("ek-allow-other.txt");
    Files.writeString(otherList, "00".repeat(32) + "\n");
    Challenge first = firstChallenge();

    assertDenied(
        () ->
            verifier(Map.of("ek-allow-list", otherList.toString()))
                .followUp(first, node().attest(first)),
        TpmDevIdReasons.EK_NOT_ALLOWED);
  }

  @Test
  void followUp_ekCertificateFromOtherCa_denied() throws Exception {
    TestCa otherManufacturer = new TestCa("Other TPM Manufacturer");
    Path otherRoot = dir.resolve("other-manufacturer.pem");
    otherManufacturer.writeCertificate(otherRoot);
    Challenge first = firstChallenge();
    Map<String, String> overrides = Map.of("ek-allow-list", "", "ek-ca", otherRoot.toString());

    assertDenied(
        () -> verifier(overrides).followUp(first, node().attest(first)),
        TpmDevIdReasons.EK_CERTIFICATE_INVALID);
  }

  @Test
  void verify_ekOfOtherTpm_activationFails() throws Exception {
    // The node claims an endorsement key that its TPM does not hold; the allow-list has it.
    KeyPairGenerator generator = KeyPairGenerator.getInstance("RSA");
    generator.initialize(2048);
    RSAPublicKey otherEk = (RSAPublicKey) generator.generateKeyPair().getPublic();
    byte[] modulus = unsigned(otherEk.getModulus().toByteArray(), 256);
    byte[] otherArea = TpmTemplates.endorsementKeyRsa2048(modulus);
    Path list = dir.resolve("ek-allow-foreign.txt");
    Files.writeString(
        list, DevIdClaim.sha256Hex(TpmPublicArea.parse(otherArea).publicKey().getEncoded()));
    MultiRoundVerifier verifier = verifier(Map.of("ek-allow-list", list.toString(), "ek-ca", ""));
    Challenge first = firstChallenge();
    Evidence claim =
        with(node().attest(first), "ekPublic", Base64.getEncoder().encodeToString(otherArea));
    Challenge followUp = verifier.followUp(first, claim).orElseThrow();

    assertDenied(() -> node().attest(followUp), TpmDevIdReasons.TPM_ACTIVATION_FAILED);

    Evidence answer =
        with(
            with(node().attest(firstChallenge()), "ekPublic", claim.fields().get("ekPublic")),
            "activatedCredential",
            Base64.getEncoder().encodeToString(new byte[32]));
    Map<String, String> fields = new HashMap<>(answer.fields());
    fields.put("signature", Base64.getEncoder().encodeToString(new byte[64]));
    assertDenied(
        () -> verifier.verify(followUp, withRealSignature(fields, followUp)),
        TpmDevIdReasons.CREDENTIAL_ACTIVATION_FAILED);
  }

  @Test
  void verify_claimChangedBetweenRounds_denied() throws Exception {
    MultiRoundVerifier verifier = verifier(Map.of("ek-ca", ""));
    Challenge first = firstChallenge();
    Challenge followUp = verifier.followUp(first, node().attest(first)).orElseThrow();
    Map<String, String> tampered = new HashMap<>(followUp.parameters());
    tampered.put("ekSha256", "00".repeat(32));
    Challenge altered =
        new Challenge(followUp.nonce(), NODE, followUp.issuedAt().orElseThrow(), tampered);

    assertDenied(
        () -> verifier.verify(altered, node().attest(followUp)), TpmDevIdReasons.CLAIM_CHANGED);
  }

  @Test
  void attest_noTpmListening_deniedUnavailable() throws Exception {
    NodeAttestor node = node(Map.of("tcti", "swtpm:host=127.0.0.1,port=" + (swtpm.port() + 2)));

    assertDenied(() -> node.attest(firstChallenge()), TpmDevIdReasons.TPM_UNAVAILABLE);
  }

  private static MultiRoundVerifier verifier(Map<String, String> overrides) throws Exception {
    Map<String, String> config = new HashMap<>();
    config.put("devid-ca", dir.resolve("site-ca.pem").toString());
    config.put("ek-allow-list", dir.resolve("ek-allow.txt").toString());
    config.put("ek-ca", swtpm.manufacturerRoot().toString());
    config.put("ek-intermediates", swtpm.manufacturerIntermediate().toString());
    config.putAll(overrides);
    config.values().removeIf(String::isEmpty);
    return (MultiRoundVerifier) new TpmDevIdProvider().verifier(config, VerifierServices.none());
  }

  private static NodeAttestor node() throws Exception {
    return node(Map.of());
  }

  private static NodeAttestor node(Map<String, String> overrides) throws Exception {
    Map<String, String> config = new HashMap<>();
    config.put("tcti", swtpm.tcti());
    config.put("devid-handle", "0x81010002");
    config.put("devid-cert", devIdCert.toString());
    config.putAll(overrides);
    return new TpmDevIdProvider().nodeAttestor(config);
  }

  /** Signs the proof with the real DevID key in the TPM and keeps the other fields. */
  private static Evidence withRealSignature(Map<String, String> fields, Challenge challenge)
      throws Exception {
    try (TpmContext tpm = TpmContext.open(swtpm.tcti())) {
      byte[] signature =
          TpmDevIdNodeAttestor.p1363(
              tpm.signEcdsaSha256(
                  DEVID_HANDLE, ProofMessage.digest(challenge.nodeName(), challenge.nonce())));
      Map<String, String> out = new HashMap<>(fields);
      out.put("signature", Base64.getEncoder().encodeToString(signature));
      return new Evidence("tpm-devid", out);
    }
  }

  private static java.security.PublicKey tpmDevIdKey() throws Exception {
    try (TpmContext tpm = TpmContext.open(swtpm.tcti())) {
      return TpmPublicArea.parse(tpm.readPublic(DEVID_HANDLE)).publicKey();
    }
  }

  private static Challenge firstChallenge() {
    return new Challenge(nonce(), NODE, Instant.now(), Map.of());
  }

  private static byte[] nonce() {
    byte[] nonce = new byte[32];
    new SecureRandom().nextBytes(nonce);
    return nonce;
  }

  private static Evidence with(Evidence evidence, String field, String value) {
    Map<String, String> fields = new HashMap<>(evidence.fields());
    fields.put(field, value);
    return new Evidence(evidence.attestor(), fields);
  }

  private static byte[] signP1363(KeyPair keys, byte[] message) throws Exception {
    Signature signer = Signature.getInstance("SHA256withECDSAinP1363Format");
    signer.initSign(keys.getPrivate());
    signer.update(message);
    return signer.sign();
  }

  private static byte[] eccDevIdArea(ECPublicKey key) {
    byte[] template = TpmTemplates.devIdEcc();
    byte[] x = unsigned(key.getW().getAffineX().toByteArray(), 32);
    byte[] y = unsigned(key.getW().getAffineY().toByteArray(), 32);
    return ByteBuffer.allocate(template.length + 64)
        .put(template, 0, template.length - 4)
        .putShort((short) 32)
        .put(x)
        .putShort((short) 32)
        .put(y)
        .array();
  }

  private static byte[] unsigned(byte[] value, int length) {
    byte[] out = new byte[length];
    int copy = Math.min(value.length, length);
    System.arraycopy(value, value.length - copy, out, length - copy, copy);
    return out;
  }

  private static void assertDenied(ThrowingCall call, String reason) {
    assertThatThrownBy(call::run)
        .isInstanceOfSatisfying(
            AttestationException.class, e -> assertThat(e.reason()).isEqualTo(reason));
  }

  @FunctionalInterface
  private interface ThrowingCall {
    void run() throws Exception;
  }
}
