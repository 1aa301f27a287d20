package org.hpcs.testcluster;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.github.jopenlibs.vault.Vault;
import io.github.jopenlibs.vault.VaultConfig;
import io.github.jopenlibs.vault.VaultException;
import io.github.jopenlibs.vault.response.AuthResponse;
import io.github.jopenlibs.vault.response.LogicalResponse;
import io.github.jopenlibs.vault.response.VaultResponse;
import io.github.jopenlibs.vault.rest.RestResponse;
import io.spiffe.workloadapi.WorkloadApiClient;
import java.nio.charset.StandardCharsets;
import java.util.Map;
import java.util.UUID;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/**
 * OpenBao's JWT auth method accepts a JWT-SVID of node n2's SPIRE agent, validated against the
 * SPIRE OIDC discovery provider, for a role bound to that node and audience, and rejects others.
 */
@ExtendWith(TestClusterExtension.class)
class OpenBaoJwtAuthIT {

  private static final String AUDIENCE = "hpcs-it";
  private static final int OK = 200;
  private static final int NO_CONTENT = 204;
  private static final int FORBIDDEN = 403;

  private TestCluster cluster;
  private Vault admin;
  private String name;
  private String secretPath;
  private String secretValue;

  @BeforeEach
  void createRoleAndSecret(TestCluster cluster) throws VaultException {
    cluster.assumeSpire();
    cluster.assumeOpenBao();
    this.cluster = cluster;
    this.admin = vault(cluster.baoRootToken(), 1);
    this.name = "hpcs-it-" + UUID.randomUUID();
    this.secretPath = "it/" + name;
    this.secretValue = UUID.randomUUID().toString();

    Vault kv = vault(cluster.baoRootToken(), 2);
    expectStatus(kv.logical().write(kvPath(), Map.of("value", secretValue)), OK);
    String policy =
        "path \""
            + cluster.baoKvMount()
            + "/data/"
            + secretPath
            + "\" { capabilities = [\"read\"] }";
    expectStatus(
        admin.logical().write("sys/policies/acl/" + name, Map.of("policy", policy)), NO_CONTENT);
    expectStatus(
        admin
            .logical()
            .write(
                "auth/" + cluster.baoJwtMount() + "/role/" + name,
                Map.of(
                    "role_type",
                    "jwt",
                    "bound_audiences",
                    AUDIENCE,
                    "bound_subject",
                    cluster.nodeSpiffeId("n2"),
                    "user_claim",
                    "sub",
                    "token_policies",
                    name,
                    "token_ttl",
                    "60")),
        NO_CONTENT);
  }

  @AfterEach
  void deleteRoleAndSecret() throws VaultException {
    if (admin == null) {
      return;
    }
    admin.logical().delete("auth/" + cluster.baoJwtMount() + "/role/" + name);
    admin.logical().delete("sys/policies/acl/" + name);
    admin.logical().delete(cluster.baoKvMount() + "/metadata/" + secretPath);
  }

  @Test
  void loginByJwt_svidOfN2ForBoundAudience_readsGrantedSecretOnly() throws Exception {
    String jwt = jwtSvidOfN2(AUDIENCE);

    AuthResponse login = vault(null, 1).auth().loginByJwt(cluster.baoJwtMount(), name, jwt);

    expectStatus(login, OK);
    assertThat(login.getAuthPolicies()).contains(name);
    Vault job = vault(login.getAuthClientToken(), 2);
    LogicalResponse granted = job.logical().read(kvPath());
    expectStatus(granted, OK);
    assertThat(granted.getData()).containsEntry("value", secretValue);
    LogicalResponse other = job.logical().read(cluster.baoKvMount() + "/it/not-granted");
    assertThat(other.getRestResponse().getStatus()).isEqualTo(FORBIDDEN);
  }

  @Test
  void loginByJwt_svidForWrongAudience_isRejectedNamingAudience() throws Exception {
    String jwt = jwtSvidOfN2("hpcs-other-audience");
    Vault anonymous = vault(null, 1);

    assertThatThrownBy(() -> anonymous.auth().loginByJwt(cluster.baoJwtMount(), name, jwt))
        .isInstanceOfSatisfying(
            VaultException.class, e -> assertThat(e.getHttpStatusCode()).isEqualTo(400))
        .hasMessageContaining("audience");
  }

  @Test
  void loginByJwt_svidOfOtherNode_isRejectedNamingSubject() throws Exception {
    String jwt;
    try (WorkloadApiClient client = SpireWorkloadApiIT.agentOf(cluster, "n1")) {
      jwt = client.fetchJwtSvid(AUDIENCE).getToken();
    }
    Vault anonymous = vault(null, 1);

    assertThatThrownBy(() -> anonymous.auth().loginByJwt(cluster.baoJwtMount(), name, jwt))
        .isInstanceOfSatisfying(
            VaultException.class, e -> assertThat(e.getHttpStatusCode()).isEqualTo(400))
        .hasMessageContaining("sub");
  }

  private String kvPath() {
    return cluster.baoKvMount() + "/" + secretPath;
  }

  private String jwtSvidOfN2(String audience) throws Exception {
    try (WorkloadApiClient client = SpireWorkloadApiIT.agentOf(cluster, "n2")) {
      return client.fetchJwtSvid(audience).getToken();
    }
  }

  private Vault vault(String token, int kvVersion) throws VaultException {
    VaultConfig config =
        new VaultConfig().address(cluster.baoAddr().toString()).engineVersion(kvVersion);
    if (token != null) {
      config.token(token);
    }
    return Vault.create(config.build());
  }

  /** Checks the HTTP status, because the driver does not throw on 4xx for reads and writes. */
  private static void expectStatus(VaultResponse response, int status) {
    RestResponse rest = response.getRestResponse();
    assertThat(rest.getStatus())
        .as("HTTP status; body: %s", new String(rest.getBody(), StandardCharsets.UTF_8))
        .isEqualTo(status);
  }
}
