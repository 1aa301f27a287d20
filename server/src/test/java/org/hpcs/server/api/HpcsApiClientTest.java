package org.hpcs.server.api;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.security.KeyPair;
import java.security.Signature;
import java.time.Instant;
import java.util.Base64;
import java.util.List;
import org.hpcs.common.api.AuditEntry;
import org.hpcs.common.api.BundleInfo;
import org.hpcs.common.api.BundleRegistration;
import org.hpcs.common.api.Grant;
import org.hpcs.common.api.GrantRequest;
import org.hpcs.common.api.HpcsApiClient;
import org.hpcs.common.api.HpcsApiException;
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

  private static BundleRegistration registration(String bundleId) throws Exception {
    byte[] manifest =
        ("{\"bundleId\":\"" + bundleId + "\",\"owner\":\"owner\"}")
            .getBytes(StandardCharsets.UTF_8);
    KeyPair key = server.ownerKey("owner");
    Signature signer = Signature.getInstance("Ed25519");
    signer.initSign(key.getPrivate());
    signer.update(manifest);
    Base64.Encoder base64 = Base64.getEncoder();
    return new BundleRegistration(
        base64.encodeToString(manifest),
        base64.encodeToString(signer.sign()),
        base64.encodeToString(key.getPublic().getEncoded()));
  }

  @Test
  void grantListRevokeAudit_roundTrip() throws Exception {
    HpcsApiClient owner = client(TestServer.OWNER);

    BundleInfo bundle = owner.registerBundle(registration("client-1"));
    Grant grant =
        owner.grant(
            new GrantRequest(
                "client-1", "alice", List.of("debug"), null, Instant.now().plusSeconds(3600)));
    List<Grant> listed = owner.grants("client-1").grants();
    List<Grant> received = client(TestServer.ALICE).grantsReceived(null).grants();
    Grant revoked = owner.revoke(grant.grantId());
    List<AuditEntry> trail = owner.audit("client-1", null).entries();

    assertThat(bundle.manifestSha256()).hasSize(64);
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
    client(TestServer.OWNER).registerBundle(registration("client-2"));

    HpcsApiException e =
        assertThrows(
            HpcsApiException.class,
            () ->
                client(TestServer.BOB)
                    .grant(new GrantRequest("client-2", "bob", null, null, null)));

    assertThat(e.status()).isEqualTo(403);
    assertThat(e.error()).isEqualTo("not-bundle-owner");
    assertThat(e.getMessage()).contains("client-2");
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
