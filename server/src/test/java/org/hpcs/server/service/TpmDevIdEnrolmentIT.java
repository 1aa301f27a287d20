package org.hpcs.server.service;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.KeyPair;
import java.security.KeyPairGenerator;
import java.security.SecureRandom;
import java.security.Signature;
import java.security.cert.CertificateFactory;
import java.security.cert.X509Certificate;
import java.security.spec.ECGenParameterSpec;
import java.time.Instant;
import java.util.Base64;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.hpcs.attest.Challenge;
import org.hpcs.attest.Evidence;
import org.hpcs.attest.NodeAttestor;
import org.hpcs.attest.tpmdevid.TpmDevIdProvider;
import org.hpcs.server.testing.PrivateSwtpm;
import org.hpcs.server.testing.TestPki;
import org.hpcs.server.testing.TestServer;
import org.hpcs.server.testing.TestServer.Reply;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The enrol endpoint with the real tpm-devid verifier and a TPM: a private swtpm provisioned with
 * the provisioning command and a DevID certificate from a site CA made with openssl. The server's
 * SPIRE and Vault are the in-process fakes of {@link TestServer}; TpmDevIdStackIT in node-agent
 * runs the same exchange on the test stack with the node agent.
 */
class TpmDevIdEnrolmentIT {
  private static final String NODE = "n3";
  private static final SecureRandom RANDOM = new SecureRandom();

  @TempDir static Path temp;

  private static PrivateSwtpm tpm;
  private static TestServer server;
  private static Path devIdCert;

  @BeforeAll
  static void start() throws Exception {
    Path tpmDir = Files.createDirectories(temp.resolve("tpm"));
    tpm = PrivateSwtpm.start(tpmDir);
    Path publicKey = temp.resolve("devid.pub.pem");
    String printed =
        PrivateSwtpm.run(
            temp,
            List.of(
                Path.of(System.getProperty("java.home"), "bin", "java").toString(),
                "-cp",
                System.getProperty("java.class.path"),
                "org.hpcs.attest.tpmdevid.ProvisionCommand",
                "--tcti",
                tpm.tcti(),
                "--public-key-out",
                publicKey.toString()));
    String ekHash =
        printed
            .lines()
            .filter(l -> l.startsWith("ek-sha256: "))
            .map(l -> l.substring("ek-sha256: ".length()).strip())
            .findFirst()
            .orElseThrow(() -> new AssertionError("no ek-sha256 in " + printed));
    Path allowList = Files.writeString(temp.resolve("ek-allow-list.txt"), ekHash + "\n");
    Path siteCa = certificateAuthority("site", "HPCS test site DevID CA");
    devIdCert = issueDevId(siteCa, publicKey, "devid");
    server =
        TestServer.start(
            temp,
            TestPki.create(temp),
            Map.of(
                "enrol.attestors", "join-token, tpm-devid",
                "attestor.tpm-devid.devid-ca", siteCa.resolveSibling("site-ca.pem").toString(),
                "attestor.tpm-devid.ek-allow-list", allowList.toString()));
  }

  @AfterAll
  static void stop() throws Exception {
    if (server != null) {
      server.close();
    }
    if (tpm != null) {
      tpm.close();
    }
  }

  @Test
  void enrol_genuineTpm_twoRoundsThenIdentities() throws Exception {
    NodeAttestor node = attestor(devIdCert);
    JsonNode first = challenge();

    Reply round1 = enrol(first, node.attest(toChallenge(first)));

    assertThat(round1.status()).as(round1.text()).isEqualTo(200);
    JsonNode followUp = round1.json().path("followUp");
    assertThat(followUp.path("parameters").path("credentialBlob").asText()).isNotBlank();
    assertThat(followUp.path("challengeId").asText())
        .isNotEqualTo(first.path("challengeId").asText());

    Reply round2 = enrol(followUp, node.attest(toChallenge(followUp)));

    assertThat(round2.status()).as(round2.text()).isEqualTo(200);
    assertThat(round2.json().path("nodeSpiffeId").asText())
        .isEqualTo("spiffe://hpcs.test/hpcs/node/" + NODE);
    assertThat(round2.json().path("spireAgentJoinToken").asText()).isNotBlank();
    assertThat(server.spire().nodeEntries()).contains(NODE);
    assertThat(details())
        .anySatisfy(d -> assertThat(d).contains("enrolled with attestor tpm-devid"));
  }

  @Test
  void enrol_devIdFromOtherCa_deniedChainInvalid() throws Exception {
    Path rogueCa = certificateAuthority("rogue", "Rogue DevID CA");
    Path rogueCert = issueDevId(rogueCa, temp.resolve("devid.pub.pem"), "devid-rogue");
    JsonNode first = challenge();

    Reply reply = enrol(first, attestor(rogueCert).attest(toChallenge(first)));

    assertDenied(reply, "devid-chain-invalid");
  }

  @Test
  void enrol_signatureByKeyNotInTpm_deniedThenReplayDenied() throws Exception {
    NodeAttestor node = attestor(devIdCert);
    JsonNode first = challenge();
    JsonNode followUp = enrol(first, node.attest(toChallenge(first))).json().path("followUp");
    Evidence genuine = node.attest(toChallenge(followUp));
    KeyPairGenerator generator = KeyPairGenerator.getInstance("EC");
    generator.initialize(new ECGenParameterSpec("secp256r1"));
    KeyPair software = generator.generateKeyPair();
    Signature signer = Signature.getInstance("SHA256withECDSAinP1363Format");
    signer.initSign(software.getPrivate());
    signer.update(Base64.getDecoder().decode(followUp.path("nonce").asText()));
    Evidence forged = with(genuine, "signature", Base64.getEncoder().encodeToString(signer.sign()));

    assertDenied(enrol(followUp, forged), "signature-invalid");
    assertDenied(enrol(followUp, genuine), "challenge-replayed");
  }

  @Test
  void enrol_endorsementKeyOfOtherTpm_deniedNotAllowed() throws Exception {
    JsonNode first = challenge();
    Evidence genuine = attestor(devIdCert).attest(toChallenge(first));
    // An RSA 2048 TPMT_PUBLIC ends with the 256-byte modulus: replace it with another key's.
    byte[] ekPublic = Base64.getDecoder().decode(genuine.fields().get("ekPublic"));
    byte[] modulus = new byte[256];
    RANDOM.nextBytes(modulus);
    modulus[0] |= (byte) 0x80;
    System.arraycopy(modulus, 0, ekPublic, ekPublic.length - 256, 256);

    Reply reply =
        enrol(first, with(genuine, "ekPublic", Base64.getEncoder().encodeToString(ekPublic)));

    assertDenied(reply, "ek-not-allowed");
  }

  private static JsonNode challenge() throws Exception {
    Reply reply =
        server.user(
            "POST",
            "/v1/nodes/challenge",
            null,
            Map.of("node", NODE, "attestor", TpmDevIdProvider.NAME));
    assertThat(reply.status()).as(reply.text()).isEqualTo(200);
    return reply.json();
  }

  private static Reply enrol(JsonNode challenge, Evidence evidence) throws Exception {
    return server.user(
        "POST",
        "/v1/nodes/enrol",
        null,
        Map.of(
            "challengeId",
            challenge.path("challengeId").asText(),
            "node",
            NODE,
            "evidence",
            Map.of("attestor", evidence.attestor(), "fields", evidence.fields())));
  }

  private static Challenge toChallenge(JsonNode challenge) {
    byte[] nonce = Base64.getDecoder().decode(challenge.path("nonce").asText());
    Map<String, String> parameters = new HashMap<>();
    challenge
        .path("parameters")
        .properties()
        .forEach(e -> parameters.put(e.getKey(), e.getValue().asText()));
    return new Challenge(nonce, NODE, Instant.now(), parameters);
  }

  private static NodeAttestor attestor(Path certificate) throws Exception {
    return new TpmDevIdProvider()
        .nodeAttestor(Map.of("tcti", tpm.tcti(), "devid-cert", certificate.toString()));
  }

  private static Evidence with(Evidence evidence, String field, String value) {
    Map<String, String> fields = new HashMap<>(evidence.fields());
    fields.put(field, value);
    return new Evidence(evidence.attestor(), fields);
  }

  private static void assertDenied(Reply reply, String reason) throws Exception {
    assertThat(reply.status()).as(reply.text()).isEqualTo(403);
    assertThat(reply.error()).as(reply.text()).isEqualTo(reason);
    List<JsonNode> denials =
        audit().stream()
            .filter(e -> e.path("outcome").asText().equals("denied"))
            .filter(e -> e.path("node").asText().equals(NODE))
            .toList();
    assertThat(denials).extracting(e -> e.path("reason").asText()).contains(reason);
  }

  private static List<JsonNode> audit() throws Exception {
    return server
        .user("GET", "/v1/audit", TestServer.ADMIN, null)
        .json()
        .path("entries")
        .valueStream()
        .toList();
  }

  private static List<String> details() throws Exception {
    return audit().stream().map(e -> e.path("detail").asText()).toList();
  }

  /** Creates a P-256 CA; returns its key file, with the certificate next to it. */
  private static Path certificateAuthority(String name, String commonName) throws Exception {
    Path key = temp.resolve(name + "-ca.key");
    PrivateSwtpm.run(
        temp,
        List.of(
            "openssl",
            "req",
            "-x509",
            "-newkey",
            "ec",
            "-pkeyopt",
            "ec_paramgen_curve:P-256",
            "-nodes",
            "-keyout",
            key.toString(),
            "-out",
            temp.resolve(name + "-ca.pem").toString(),
            "-days",
            "1",
            "-subj",
            "/CN=" + commonName,
            "-addext",
            "basicConstraints=critical,CA:TRUE",
            "-addext",
            "keyUsage=critical,keyCertSign"));
    return key;
  }

  /** Issues a DevID certificate for the TPM's public key, naming the node as CN and DNS name. */
  private static Path issueDevId(Path caKey, Path publicKey, String name) throws Exception {
    Path ext =
        Files.writeString(
            temp.resolve(name + ".ext"),
            "basicConstraints=critical,CA:FALSE\nkeyUsage=critical,digitalSignature\n"
                + "subjectAltName=DNS:"
                + NODE
                + "\n",
            StandardCharsets.US_ASCII);
    Path csr = temp.resolve(name + ".csr");
    Path out = temp.resolve(name + ".pem");
    PrivateSwtpm.run(
        temp,
        List.of(
            "openssl",
            "req",
            "-new",
            "-newkey",
            "ec",
            "-pkeyopt",
            "ec_paramgen_curve:P-256",
            "-nodes",
            "-keyout",
            temp.resolve(name + "-csr.key").toString(),
            "-out",
            csr.toString(),
            "-subj",
            "/CN=" + NODE));
    Path caCert = caKey.resolveSibling(caKey.getFileName().toString().replace(".key", ".pem"));
    PrivateSwtpm.run(
        temp,
        List.of(
            "openssl",
            "x509",
            "-req",
            "-in",
            csr.toString(),
            "-force_pubkey",
            publicKey.toString(),
            "-CA",
            caCert.toString(),
            "-CAkey",
            caKey.toString(),
            "-set_serial",
            "0x" + Long.toHexString(RANDOM.nextLong() >>> 1),
            "-days",
            "1",
            "-sha256",
            "-extfile",
            ext.toString(),
            "-out",
            out.toString()));
    try (InputStream in = Files.newInputStream(out)) {
      X509Certificate certificate =
          (X509Certificate) CertificateFactory.getInstance("X.509").generateCertificate(in);
      assertThat(certificate.getSubjectX500Principal().getName()).contains("CN=" + NODE);
    }
    return out;
  }
}
