package org.hpcs.agent.secure;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.InputStream;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.KeyPair;
import java.security.KeyPairGenerator;
import java.security.KeyStore;
import java.security.SecureRandom;
import java.security.Signature;
import java.security.cert.Certificate;
import java.security.cert.CertificateFactory;
import java.security.cert.X509Certificate;
import java.security.spec.ECGenParameterSpec;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Base64;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import javax.net.ssl.SSLContext;
import javax.net.ssl.TrustManagerFactory;
import org.hpcs.attest.Challenge;
import org.hpcs.attest.Evidence;
import org.hpcs.attest.NodeAttestor;
import org.hpcs.attest.tpmdevid.TpmDevIdProvider;
import org.hpcs.common.api.AuditEntry;
import org.hpcs.common.api.Json;
import org.hpcs.common.bundle.BundleKind;
import org.hpcs.common.bundle.Ed25519Keys;
import org.hpcs.testcluster.CommandResult;
import org.hpcs.testcluster.TestCluster;
import org.hpcs.testcluster.TestClusterExtension;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestMethodOrder;
import org.junit.jupiter.api.extension.ExtendWith;

/**
 * Hardware-rooted enrolment on the test stack: the node agent of the stack's tpm-devid node (n3)
 * enrols with the DevID key in its swtpm through the real HPCS server, the audit log records it,
 * and a secured job then runs on that node. Forged tpm-devid evidence, built from the same swtpm,
 * is denied by the server with a distinct, audited reason each. Needs root, the demo image and a
 * stack brought up from this checkout (it provisions n3's DevID key).
 */
@ExtendWith(TestClusterExtension.class)
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
class TpmDevIdStackIT {
  private static final ObjectMapper JSON = Json.lenient();
  private static final SecureRandom RANDOM = new SecureRandom();
  private static final Path REPO = Path.of("").toAbsolutePath().getParent();
  private static final Path DEMO_SIF = REPO.resolve("build/demo/jp2a.sif");
  private static final Path DEMO_PNG = REPO.resolve("build/demo/astro-logo.png");
  private static final Path LAUNCHER = Path.of("/usr/sbin/hpcs-node-agent");
  private static final String NODE = "n3";
  private static final String USER = "alice";
  private static final Duration ENROL_TIMEOUT = Duration.ofMinutes(2);
  private static final Duration JOB_TIMEOUT = Duration.ofMinutes(3);

  private static final List<Path> DIRECTORIES = new ArrayList<>();
  private static TestCluster cluster;
  private static OwnerClient owner;
  private static HttpClient server;
  private static Map<String, String> agentConfig;

  @BeforeAll
  static void open(TestCluster stack) throws Exception {
    cluster = stack;
    RootOnly.assumeRoot();
    assertThat(cluster.stackEnv().find("TPM_DEVID_NODES").orElse(""))
        .as(
            "TPM_DEVID_NODES in stack.env: the stack enrols no node with tpm-devid; run"
                + " slurm-test-cluster/bin/hpcs-cluster up from this checkout")
        .contains(NODE);
    owner = new OwnerClient(cluster, cluster.hpcsServerUrl());
    server =
        HttpClient.newBuilder()
            .sslContext(trusting(cluster.hpcsServerCa()))
            .connectTimeout(Duration.ofSeconds(10))
            .build();
    agentConfig = agentConfig(Path.of(cluster.env("HPCS_AGENT_CONFIG_N3")));
    assertThat(agentConfig).containsEntry("attestation", "tpm-devid");
  }

  @AfterAll
  static void deleteDirectories() {
    for (Path dir : DIRECTORIES) {
      cluster.runAs("root", Duration.ofSeconds(30), "rm", "-rf", dir.toString());
    }
  }

  @Test
  @Order(1)
  void agent_enrolsWithTpmDevId_auditedAndSecuredJobRuns() throws Exception {
    assertThat(DEMO_SIF).as("demo image; run slurm-test-cluster/demo/build-image").exists();
    Instant since = Instant.now().minusSeconds(1);
    reenrolAgent();

    AuditEntry enrolled = awaitAudit(since, "allowed", "enrolled with attestor tpm-devid");
    assertThat(enrolled.action()).isEqualTo("node.enrol");
    assertThat(enrolled.detail()).contains(cluster.nodeSpiffeId(NODE));
    assertThat(audit(since))
        .as("round 1 recorded before the enrolment")
        .anySatisfy(e -> assertThat(e.detail()).contains("passed round 1 of attestor tpm-devid"));
    awaitNodeSvid();

    Job job = prepareJob();
    Path script = job.dir().resolve("job.sh");
    Files.writeString(
        script,
        """
        #!/bin/sh
        jp2a --width=60 /hpcs/input/astro-logo.png > /hpcs/output/art.txt
        """);
    JobOutputParts.chown(cluster, USER, job.dir());
    long id =
        submit(job.dir(), "--hpcs-secure=" + job.manifest(), "-w", NODE, "-N1", script.toString());
    awaitGone(id);

    assertThat(scontrol(id)).contains("JobState=COMPLETED");
    Map<String, byte[]> part = JobOutputParts.await(job.dir(), id, NODE, job.fixture().output);
    assertThat(new String(part.get(NODE + "/art.txt"), StandardCharsets.UTF_8))
        .isEqualTo(JobOutputParts.hostJp2a(cluster, DEMO_PNG));
  }

  @Test
  @Order(2)
  void enrol_devIdFromOtherCa_deniedChainInvalid() throws Exception {
    Instant since = Instant.now().minusSeconds(1);
    Path rogueCert = rogueDevIdCertificate();
    NodeAttestor rogue = attestor(Map.of("devid-cert", rogueCert.toString()));
    JsonNode challenge = challenge();

    Reply reply = enrol(challenge, rogue.attest(toChallenge(challenge)));

    assertDenied(reply, "devid-chain-invalid", since);
  }

  @Test
  @Order(3)
  void enrol_signatureByKeyNotInTpm_deniedThenReplayDenied() throws Exception {
    Instant since = Instant.now().minusSeconds(1);
    NodeAttestor tpm = attestor(Map.of());
    JsonNode first = challenge();
    Reply round1 = enrol(first, tpm.attest(toChallenge(first)));
    assertThat(round1.status()).as(round1.text()).isEqualTo(200);
    JsonNode followUp = round1.json().path("followUp");
    Evidence genuine = tpm.attest(toChallenge(followUp));

    KeyPairGenerator generator = KeyPairGenerator.getInstance("EC");
    generator.initialize(new ECGenParameterSpec("secp256r1"));
    KeyPair software = generator.generateKeyPair();
    Signature signer = Signature.getInstance("SHA256withECDSAinP1363Format");
    signer.initSign(software.getPrivate());
    signer.update(Base64.getDecoder().decode(followUp.path("nonce").asText()));
    Evidence forged = with(genuine, "signature", Base64.getEncoder().encodeToString(signer.sign()));

    assertDenied(enrol(followUp, forged), "signature-invalid", since);

    // The genuine answer comes too late: the follow-up challenge was spent by the forged one.
    assertDenied(enrol(followUp, genuine), "challenge-replayed", since);
  }

  @Test
  @Order(4)
  void enrol_endorsementKeyOfOtherTpm_deniedNotAllowed() throws Exception {
    Instant since = Instant.now().minusSeconds(1);
    JsonNode challenge = challenge();
    Evidence genuine = attestor(Map.of()).attest(toChallenge(challenge));
    // An RSA 2048 TPMT_PUBLIC ends with the 256-byte modulus: replace it with another key's.
    byte[] ekPublic = Base64.getDecoder().decode(genuine.fields().get("ekPublic"));
    byte[] modulus = new byte[256];
    RANDOM.nextBytes(modulus);
    modulus[0] |= (byte) 0x80;
    System.arraycopy(modulus, 0, ekPublic, ekPublic.length - 256, 256);

    Reply reply =
        enrol(challenge, with(genuine, "ekPublic", Base64.getEncoder().encodeToString(ekPublic)));

    assertDenied(reply, "ek-not-allowed", since);
  }

  // --- enrolment through the server -------------------------------------------------------

  private record Reply(int status, String text, JsonNode json) {}

  private static JsonNode challenge() throws Exception {
    Reply reply =
        post("/v1/nodes/challenge", Map.of("node", NODE, "attestor", TpmDevIdProvider.NAME));
    assertThat(reply.status()).as(reply.text()).isEqualTo(200);
    return reply.json();
  }

  private static Reply enrol(JsonNode challenge, Evidence evidence) throws Exception {
    return post(
        "/v1/nodes/enrol",
        Map.of(
            "challengeId",
            challenge.path("challengeId").asText(),
            "node",
            NODE,
            "evidence",
            Map.of("attestor", evidence.attestor(), "fields", evidence.fields())));
  }

  private static Reply post(String path, Object body) throws Exception {
    HttpRequest request =
        HttpRequest.newBuilder(cluster.hpcsServerUrl().resolve(path))
            .header("Content-Type", "application/json")
            .timeout(Duration.ofSeconds(30))
            .POST(HttpRequest.BodyPublishers.ofByteArray(JSON.writeValueAsBytes(body)))
            .build();
    HttpResponse<String> response = server.send(request, HttpResponse.BodyHandlers.ofString());
    String text = response.body();
    return new Reply(
        response.statusCode(), text, text.isEmpty() ? JSON.missingNode() : JSON.readTree(text));
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

  private static NodeAttestor attestor(Map<String, String> overrides) throws Exception {
    Map<String, String> config = new HashMap<>();
    config.put("tcti", agentConfig.get("attestor.tcti"));
    config.put("devid-handle", agentConfig.get("attestor.devid-handle"));
    config.put("devid-cert", agentConfig.get("attestor.devid-cert"));
    config.putAll(overrides);
    return new TpmDevIdProvider().nodeAttestor(config);
  }

  private static Evidence with(Evidence evidence, String field, String value) {
    Map<String, String> fields = new HashMap<>(evidence.fields());
    fields.put(field, value);
    return new Evidence(evidence.attestor(), fields);
  }

  private static void assertDenied(Reply reply, String reason, Instant since) throws Exception {
    assertThat(reply.status()).as(reply.text()).isEqualTo(403);
    assertThat(reply.json().path("error").asText()).as(reply.text()).isEqualTo(reason);
    assertThat(audit(since))
        .as("audit records of %s since %s", NODE, since)
        .anySatisfy(
            e -> {
              assertThat(e.action()).isEqualTo("node.enrol");
              assertThat(e.outcome()).isEqualTo("denied");
              assertThat(e.reason()).isEqualTo(reason);
            });
  }

  /**
   * Writes a DevID certificate for the TPM's real DevID key, but issued by a CA that the server
   * does not trust.
   */
  private static Path rogueDevIdCertificate() throws Exception {
    Path dir = Files.createTempDirectory("hpcs-devid-rogue-");
    DIRECTORIES.add(dir);
    X509Certificate site = certificate(Path.of(agentConfig.get("attestor.devid-cert")));
    Path publicKey = dir.resolve("devid.pub.pem");
    Files.writeString(
        publicKey,
        "-----BEGIN PUBLIC KEY-----\n"
            + Base64.getMimeEncoder(64, "\n".getBytes(StandardCharsets.US_ASCII))
                .encodeToString(site.getPublicKey().getEncoded())
            + "\n-----END PUBLIC KEY-----\n");
    Path ext = dir.resolve("devid.ext");
    Files.writeString(
        ext,
        "basicConstraints=critical,CA:FALSE\nkeyUsage=critical,digitalSignature\n"
            + "subjectAltName=DNS:"
            + NODE
            + "\n");
    String d = dir.toString();
    run(
        "openssl",
        "req",
        "-x509",
        "-newkey",
        "ec",
        "-pkeyopt",
        "ec_paramgen_curve:P-256",
        "-nodes",
        "-keyout",
        d + "/ca.key",
        "-out",
        d + "/ca.pem",
        "-days",
        "1",
        "-subj",
        "/CN=Rogue DevID CA",
        "-addext",
        "basicConstraints=critical,CA:TRUE");
    run(
        "openssl",
        "req",
        "-new",
        "-newkey",
        "ec",
        "-pkeyopt",
        "ec_paramgen_curve:P-256",
        "-nodes",
        "-keyout",
        d + "/csr.key",
        "-out",
        d + "/devid.csr",
        "-subj",
        "/CN=" + NODE);
    run(
        "openssl",
        "x509",
        "-req",
        "-in",
        d + "/devid.csr",
        "-force_pubkey",
        publicKey.toString(),
        "-CA",
        d + "/ca.pem",
        "-CAkey",
        d + "/ca.key",
        "-set_serial",
        "7",
        "-days",
        "1",
        "-sha256",
        "-extfile",
        ext.toString(),
        "-out",
        d + "/devid.pem");
    return dir.resolve("devid.pem");
  }

  private static X509Certificate certificate(Path file) throws Exception {
    try (InputStream in = Files.newInputStream(file)) {
      return (X509Certificate) CertificateFactory.getInstance("X.509").generateCertificate(in);
    }
  }

  // --- the node agent of n3 ----------------------------------------------------------------

  /** Makes the installed agent of n3 enrol again, as after losing its SPIRE agent's SVID. */
  private static void reenrolAgent() throws Exception {
    String config = cluster.env("HPCS_AGENT_CONFIG_N3");
    run(LAUNCHER.toString(), "--config", config, "stop");
    Path stateDir = Path.of(agentConfig.get("state-dir"));
    Files.deleteIfExists(stateDir.resolve("spire-agent.enrolled"));
    run(LAUNCHER.toString(), "--config", config, "start");
  }

  private static void awaitNodeSvid() throws Exception {
    Instant deadline = Instant.now().plus(ENROL_TIMEOUT);
    String socket = cluster.spireAgentSocket(NODE).toString();
    String spire = cluster.spireBinDir().resolve("spire-agent").toString();
    while (Instant.now().isBefore(deadline)) {
      CommandResult fetch =
          cluster.runAs(
              "root",
              Duration.ofSeconds(30),
              spire,
              "api",
              "fetch",
              "x509",
              "-socketPath",
              socket,
              "-output",
              "json");
      if (fetch.stdout().contains("\"" + cluster.nodeSpiffeId(NODE) + "\"")) {
        return;
      }
      Thread.sleep(500);
    }
    throw new AssertionError(
        "the spire-agent of " + NODE + " serves no " + cluster.nodeSpiffeId(NODE));
  }

  private static Map<String, String> agentConfig(Path file) throws Exception {
    Map<String, String> values = new HashMap<>();
    for (String line : Files.readAllLines(file, StandardCharsets.UTF_8)) {
      int eq = line.indexOf('=');
      if (!line.strip().startsWith("#") && eq > 0) {
        values.put(line.substring(0, eq).strip(), line.substring(eq + 1).strip());
      }
    }
    return values;
  }

  // --- audit --------------------------------------------------------------------------------

  private static List<AuditEntry> audit(Instant since) throws Exception {
    return owner.auditAll().stream()
        .filter(e -> NODE.equals(e.node()) && !e.at().isBefore(since))
        .toList();
  }

  private static AuditEntry awaitAudit(Instant since, String outcome, String detail)
      throws Exception {
    Instant deadline = Instant.now().plus(ENROL_TIMEOUT);
    while (Instant.now().isBefore(deadline)) {
      for (AuditEntry entry : audit(since)) {
        if (entry.outcome().equals(outcome) && entry.detail().contains(detail)) {
          return entry;
        }
      }
      Thread.sleep(500);
    }
    throw new AssertionError(
        "no audit record '" + detail + "' for " + NODE + " since " + since + ": " + audit(since));
  }

  // --- a secured job on n3 ------------------------------------------------------------------

  private record Job(Path dir, Path manifest, BundleFixture fixture) {}

  private static Job prepareJob() throws Exception {
    Path home =
        Path.of(
            cluster
                .runAs(USER, Duration.ofSeconds(30), "sh", "-c", "printf %s \"$HOME\"")
                .stdout());
    Path dir = home.resolve("hpcs-devid-" + Long.toHexString(RANDOM.nextLong()));
    CommandResult made =
        cluster.runAs(USER, Duration.ofSeconds(30), "mkdir", "-m", "0700", dir.toString());
    assertThat(made.succeeded()).as(made.describe()).isTrue();
    DIRECTORIES.add(dir);
    KeyPair ownerKey =
        new KeyPair(
            Ed25519Keys.readPublic(Path.of(cluster.env("HPCS_OWNER_SIGNING_PUBLIC_KEY"))),
            Ed25519Keys.readPrivate(Path.of(cluster.env("HPCS_OWNER_SIGNING_KEY"))));
    BundleFixture fixture =
        new BundleFixture(dir, ownerKey, OwnerClient.OWNER, cluster.baoKvMount());
    BundleFixture.Bundle image =
        fixture.create("jp2a", BundleKind.CONTAINER, Files.readAllBytes(DEMO_SIF));
    BundleFixture.Bundle data =
        fixture.create(
            "picture",
            BundleKind.DATA,
            BundleFixture.tar(Map.of("astro-logo.png", Files.readAllBytes(DEMO_PNG))));
    for (BundleFixture.Bundle bundle : List.of(image, data)) {
      owner.depositKey(bundle.manifest().bundleId(), bundle.identity());
      owner.register(bundle.manifestFile());
      owner.grant(bundle.manifest().bundleId(), USER, null);
    }
    fixture.jobManifest(image, data);
    return new Job(dir, fixture.jobManifestPath(), fixture);
  }

  private static long submit(Path dir, String... options) {
    List<String> command =
        new ArrayList<>(
            List.of("sbatch", "--parsable", "-D", dir.toString(), "--output=slurm-%j.out"));
    command.addAll(List.of(options));
    CommandResult result =
        cluster.runAs(USER, Duration.ofSeconds(30), command.toArray(String[]::new));
    assertThat(result.succeeded()).as(result.describe()).isTrue();
    return Long.parseLong(result.stdout().strip().split(";", -1)[0]);
  }

  private static void awaitGone(long id) throws Exception {
    Instant deadline = Instant.now().plus(JOB_TIMEOUT);
    while (Instant.now().isBefore(deadline)) {
      CommandResult queue =
          cluster.runAs("root", Duration.ofSeconds(30), "squeue", "-h", "-j", Long.toString(id));
      if (queue.stdout().isBlank()) {
        return;
      }
      Thread.sleep(500);
    }
    throw new AssertionError("job " + id + " still queued after " + JOB_TIMEOUT);
  }

  private static String scontrol(long id) {
    return cluster
        .runAs("root", Duration.ofSeconds(30), "scontrol", "-o", "show", "job", Long.toString(id))
        .stdout();
  }

  private static void run(String... command) {
    CommandResult result = cluster.runAs("root", Duration.ofSeconds(60), command);
    assertThat(result.succeeded()).as(result.describe()).isTrue();
  }

  private static SSLContext trusting(Path caFile) throws Exception {
    KeyStore store = KeyStore.getInstance("PKCS12");
    store.load(null, null);
    try (InputStream in = Files.newInputStream(caFile)) {
      int index = 0;
      for (Certificate cert : CertificateFactory.getInstance("X.509").generateCertificates(in)) {
        store.setCertificateEntry("ca-" + index++, cert);
      }
    }
    TrustManagerFactory trust =
        TrustManagerFactory.getInstance(TrustManagerFactory.getDefaultAlgorithm());
    trust.init(store);
    SSLContext context = SSLContext.getInstance("TLS");
    context.init(null, trust.getTrustManagers(), null);
    return context;
  }
}
