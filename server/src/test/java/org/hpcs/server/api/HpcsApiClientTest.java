package org.hpcs.server.api;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.nio.file.Path;
import java.time.Instant;
import java.util.List;
import org.hpcs.common.api.AuditEntry;
import org.hpcs.common.api.BundleInfo;
import org.hpcs.common.api.Grant;
import org.hpcs.common.api.GrantRequest;
import org.hpcs.common.api.HpcsApiClient;
import org.hpcs.common.api.HpcsApiException;
import org.hpcs.common.crypto.Sha256;
import org.hpcs.server.testing.TestManifests;
import org.hpcs.server.testing.TestPki;
import org.hpcs.server.testing.TestServer;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The typed client of the user endpoints, against the real server. */
class HpcsApiClientTest {
  @TempDir static Path temp;

  private static TestServer server;
  private static TestPki pki;

  @BeforeAll
  static void start() throws Exception {
    pki = TestPki.create(temp);
    server = TestServer.start(temp, pki);
  }

  @AfterAll
  static void stop() {
    server.close();
  }

  private static HpcsApiClient client(String token) throws Exception {
    return new HpcsApiClient(server.base(), pki.clientContext(null), () -> token);
  }

  private static byte[] manifest(String label) {
    return TestManifests.signed(
        TestManifests.unsigned("owner", label, "kv-hpcs"), server.ownerKey("owner"));
  }

  @Test
  void grantListRevokeAudit_roundTrip() throws Exception {
    HpcsApiClient owner = client(TestServer.OWNER);

    byte[] manifest = manifest("client-1");
    String bundleId = TestManifests.bundleId("client-1");

    BundleInfo bundle = owner.registerBundle(manifest);
    Grant grant =
        owner.grant(
            new GrantRequest(
                bundleId, "alice", List.of("debug"), null, Instant.now().plusSeconds(3600)));
    List<Grant> listed = owner.grants(bundleId).grants();
    List<Grant> received = client(TestServer.ALICE).grantsReceived(null).grants();
    Grant revoked = owner.revoke(grant.grantId());
    List<AuditEntry> trail = owner.audit(bundleId, null).entries();

    assertThat(bundle.manifestSha256()).isEqualTo(Sha256.of(manifest).hex());
    assertThat(bundle.outputRecipient()).isEqualTo(TestManifests.OUTPUT_RECIPIENT);
    assertThat(grant.user()).isEqualTo("alice");
    assertThat(grant.partitions()).containsExactly("debug");
    assertThat(listed).extracting(Grant::grantId).containsExactly(grant.grantId());
    assertThat(received).extracting(Grant::grantId).contains(grant.grantId());
    assertThat(revoked.revokedAt()).isNotNull();
    assertThat(trail)
        .extracting(AuditEntry::action)
        .containsExactly("bundle.register", "grant.create", "grant.revoke");
  }

  @Test
  void grant_otherOwnersBundle_throwsWithStatusAndCode() throws Exception {
    client(TestServer.OWNER).registerBundle(manifest("client-2"));
    String bundleId = TestManifests.bundleId("client-2");

    HpcsApiException e =
        assertThrows(
            HpcsApiException.class,
            () ->
                client(TestServer.BOB).grant(new GrantRequest(bundleId, "bob", null, null, null)));

    assertThat(e.status()).isEqualTo(403);
    assertThat(e.error()).isEqualTo("not-bundle-owner");
    assertThat(e.getMessage()).contains(bundleId);
  }

  @Test
  void anyCall_tokenRejected_throws401() throws Exception {
    HpcsApiException e =
        assertThrows(HpcsApiException.class, () -> client("hvs.expired-token-000").grants(null));

    assertThat(e.status()).isEqualTo(401);
    assertThat(e.error()).isEqualTo("token-rejected");
  }

  @Test
  void anyCall_serverUnreachable_throwsTransportError() throws Exception {
    HpcsApiClient unreachable =
        new HpcsApiClient(
            java.net.URI.create("https://127.0.0.1:1"), pki.clientContext(null), () -> "hvs.x");

    HpcsApiException e = assertThrows(HpcsApiException.class, () -> unreachable.grants(null));

    assertThat(e.status()).isZero();
    assertThat(e.getMessage()).contains("127.0.0.1:1");
  }
}
