package org.hpcs.server.service;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.security.KeyPairGenerator;
import org.hpcs.common.api.Json;
import org.hpcs.common.bundle.BundleManifest;
import org.hpcs.common.crypto.Sha256;
import org.hpcs.server.testing.TestManifests;
import org.hpcs.server.testing.TestPki;
import org.hpcs.server.testing.TestServer;
import org.hpcs.server.testing.TestServer.Reply;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Bundle registration from the signed manifest file, against the real server. */
class BundleApiTest {
  private static final ObjectMapper JSON = Json.lenient();

  @TempDir static Path temp;

  private static TestServer server;

  @BeforeAll
  static void start() throws Exception {
    server = TestServer.start(temp, TestPki.create(temp));
  }

  @AfterAll
  static void stop() {
    server.close();
  }

  private static byte[] signedByOwner(String label) {
    return TestManifests.signed(
        TestManifests.unsigned("owner", label, "kv-hpcs"), server.ownerKey("owner"));
  }

  @Test
  void register_ownManifest_storesManifestFacts() throws Exception {
    byte[] manifest = signedByOwner("reg-1");

    Reply reply = server.registerManifest(TestServer.OWNER, manifest);

    assertThat(reply.status()).as(reply.text()).isEqualTo(201);
    assertThat(reply.json().path("bundleId").asText()).isEqualTo(TestManifests.bundleId("reg-1"));
    assertThat(reply.json().path("owner").asText()).isEqualTo("owner");
    assertThat(reply.json().path("manifestSha256").asText()).isEqualTo(Sha256.of(manifest).hex());
    assertThat(reply.json().path("ciphertextSha256").asText()).isEqualTo("a".repeat(64));
    assertThat(reply.json().path("ciphertextSize").asLong()).isEqualTo(1234);
    assertThat(reply.json().path("kvMount").asText()).isEqualTo("kv-hpcs");
    assertThat(reply.json().path("kvPath").asText())
        .isEqualTo("owners/owner/bundles/" + TestManifests.bundleId("reg-1"));
    assertThat(reply.json().path("outputRecipient").asText())
        .isEqualTo(TestManifests.OUTPUT_RECIPIENT);
  }

  @Test
  void register_sameBytesTwice_201WithSameDigest() throws Exception {
    byte[] manifest = signedByOwner("reg-2");

    Reply first = server.registerManifest(TestServer.OWNER, manifest);
    Reply second = server.registerManifest(TestServer.OWNER, manifest);

    assertThat(first.status()).as(first.text()).isEqualTo(201);
    assertThat(second.status()).isEqualTo(201);
    assertThat(second.json().path("manifestSha256")).isEqualTo(first.json().path("manifestSha256"));
  }

  @Test
  void register_manifestOfOtherOwner_403() throws Exception {
    Reply reply = server.registerManifest(TestServer.ALICE, signedByOwner("reg-3"));

    assertThat(reply.status()).isEqualTo(403);
    assertThat(reply.error()).isEqualTo("owner-mismatch");
    assertThat(reply.json().path("message").asText()).contains("owner").contains("alice");
  }

  @Test
  void register_fieldChangedAfterSigning_403AndAudited() throws Exception {
    ObjectNode tree = (ObjectNode) JSON.readTree(signedByOwner("reg-4"));
    ((ObjectNode) tree.path("ciphertext")).put("size", 99);

    Reply reply = server.registerManifest(TestServer.OWNER, JSON.writeValueAsBytes(tree));
    Reply audit =
        server.user(
            "GET", "/v1/audit?bundle=" + TestManifests.bundleId("reg-4"), TestServer.ADMIN, null);

    assertThat(reply.status()).isEqualTo(403);
    assertThat(reply.error()).isEqualTo("signature-invalid");
    assertThat(reply.json().path("message").asText()).contains("invalid signature");
    assertThat(audit.json().path("entries").findValuesAsText("reason"))
        .contains("signature-invalid");
  }

  @Test
  void register_keyOtherThanPinned_403() throws Exception {
    assertThat(server.registerManifest(TestServer.OWNER, signedByOwner("reg-5")).status())
        .isEqualTo(201);
    byte[] manifest =
        TestManifests.signed(
            TestManifests.unsigned("owner", "reg-6", "kv-hpcs"),
            KeyPairGenerator.getInstance("Ed25519").generateKeyPair());

    Reply reply = server.registerManifest(TestServer.OWNER, manifest);

    assertThat(reply.status()).isEqualTo(403);
    assertThat(reply.error()).isEqualTo("signing-key-mismatch");
    assertThat(reply.json().path("message").asText()).contains("pinned for owner owner");
  }

  @Test
  void register_existingIdWithOtherManifest_409() throws Exception {
    assertThat(server.registerManifest(TestServer.OWNER, signedByOwner("reg-7")).status())
        .isEqualTo(201);
    BundleManifest base = TestManifests.unsigned("owner", "reg-7", "kv-hpcs");
    BundleManifest other =
        new BundleManifest(
            base.schemaVersion(),
            base.bundleId(),
            base.kind(),
            base.owner(),
            "other-name",
            base.createdAt(),
            base.ciphertext(),
            base.plaintext(),
            base.key(),
            base.outputRecipient(),
            null,
            null);

    Reply reply =
        server.registerManifest(
            TestServer.OWNER, TestManifests.signed(other, server.ownerKey("owner")));

    assertThat(reply.status()).isEqualTo(409);
    assertThat(reply.error()).isEqualTo("bundle-exists");
  }

  @Test
  void register_unknownField_400NamingField() throws Exception {
    ObjectNode tree = (ObjectNode) JSON.readTree(signedByOwner("reg-8"));
    tree.put("ownerRecipients", "age1x");

    Reply reply = server.registerManifest(TestServer.OWNER, JSON.writeValueAsBytes(tree));

    assertThat(reply.status()).isEqualTo(400);
    assertThat(reply.error()).isEqualTo("invalid-manifest");
    assertThat(reply.json().path("message").asText()).contains("unknown field \"ownerRecipients\"");
  }

  @Test
  void register_otherKvMount_400NamingBothMounts() throws Exception {
    byte[] manifest =
        TestManifests.signed(
            TestManifests.unsigned("owner", "reg-9", "secret"), server.ownerKey("owner"));

    Reply reply = server.registerManifest(TestServer.OWNER, manifest);

    assertThat(reply.status()).isEqualTo(400);
    assertThat(reply.error()).isEqualTo("key-mount-mismatch");
    assertThat(reply.json().path("message").asText())
        .contains("mount secret")
        .contains("mount kv-hpcs");
  }

  @Test
  void register_keyPathOfOtherOwner_400() throws Exception {
    ObjectNode tree = (ObjectNode) JSON.readTree(signedByOwner("reg-10"));
    ((ObjectNode) tree.path("key")).put("kvPath", "owners/alice/bundles/x");

    Reply reply = server.registerManifest(TestServer.OWNER, JSON.writeValueAsBytes(tree));

    assertThat(reply.status()).isEqualTo(400);
    assertThat(reply.error()).isEqualTo("invalid-manifest");
    assertThat(reply.json().path("message").asText()).contains("key.kvPath");
  }

  @Test
  void register_notJsonOrEmpty_400() throws Exception {
    Reply notJson =
        server.registerManifest(TestServer.OWNER, "not json".getBytes(StandardCharsets.UTF_8));
    Reply empty = server.registerManifest(TestServer.OWNER, new byte[0]);

    assertThat(notJson.status()).isEqualTo(400);
    assertThat(notJson.error()).isEqualTo("invalid-manifest");
    assertThat(empty.status()).isEqualTo(400);
    assertThat(empty.error()).isEqualTo("empty-body");
  }
}
