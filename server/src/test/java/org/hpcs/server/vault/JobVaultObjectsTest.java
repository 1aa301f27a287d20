package org.hpcs.server.vault;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

class JobVaultObjectsTest {
  @Test
  void dataPath_singleSegmentMount_dataAfterMount() {
    assertThat(JobVaultObjects.dataPath("kv-hpcs", "owners/owner/bundles/b1"))
        .isEqualTo("kv-hpcs/data/owners/owner/bundles/b1");
  }

  @Test
  void dataPath_multiSegmentMount_dataAfterWholeMount() {
    assertThat(JobVaultObjects.dataPath("/secret/hpcs/", "owners/owner/bundles/b1"))
        .isEqualTo("secret/hpcs/data/owners/owner/bundles/b1");
  }

  @Test
  void policy_listsExactlyTheGivenPathsReadOnly() {
    String policy =
        JobVaultObjects.policy(
            "42", List.of("kv-hpcs/data/owners/o/bundles/a", "kv-hpcs/data/owners/o/bundles/b"));

    assertThat(policy)
        .contains("path \"kv-hpcs/data/owners/o/bundles/a\" {\n  capabilities = [\"read\"]\n}")
        .contains("path \"kv-hpcs/data/owners/o/bundles/b\" {\n  capabilities = [\"read\"]\n}")
        .contains("path \"auth/token/revoke-self\"")
        .doesNotContain("*")
        .doesNotContain("metadata");
  }

  @Test
  void role_bindsAudienceSubjectsAndLimits() {
    Map<String, Object> role =
        JobVaultObjects.role("42", List.of("spiffe://td/hpcs/node/n1"), "hpcs-vault", 300, 3);

    assertThat(role)
        .containsEntry("role_type", "jwt")
        .containsEntry("user_claim", "sub")
        .containsEntry("bound_audiences", List.of("hpcs-vault"))
        .containsEntry("bound_claims", Map.of("sub", List.of("spiffe://td/hpcs/node/n1")))
        .containsEntry("token_policies", List.of("hpcs-job-42"))
        .containsEntry("token_ttl", 300L)
        .containsEntry("token_explicit_max_ttl", 300L)
        .containsEntry("token_num_uses", 3)
        .containsEntry("token_no_default_policy", true);
  }
}
