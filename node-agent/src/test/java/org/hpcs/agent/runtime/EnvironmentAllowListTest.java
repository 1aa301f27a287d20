package org.hpcs.agent.runtime;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.LinkedHashMap;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

class EnvironmentAllowListTest {
  @Test
  void of_plainVariables_keepsOrder() throws Exception {
    Map<String, String> variables = new LinkedHashMap<>();
    variables.put("OMP_NUM_THREADS", "4");
    variables.put("LANG", "C.UTF-8");

    assertThat(EnvironmentAllowList.of(variables).variables().keySet())
        .containsExactly("OMP_NUM_THREADS", "LANG");
  }

  @ParameterizedTest
  @ValueSource(
      strings = {
        "VAULT_TOKEN",
        "AGE_IDENTITY",
        "GOCRYPTFS_PASSWORD",
        "HPCS_GOCRYPTFS_PASSWORD",
        "BAO_ADDR",
        "MY_SECRET",
        "ssh_private_key"
      })
  void of_secretLookingName_rejects(String name) {
    assertThatThrownBy(() -> EnvironmentAllowList.of(Map.of(name, "x")))
        .isInstanceOf(ContainerException.class)
        .hasMessageContaining(name + " looks like a secret");
  }

  @Test
  void of_invalidName_rejects() {
    assertThatThrownBy(() -> EnvironmentAllowList.of(Map.of("1BAD-NAME", "x")))
        .hasMessageContaining("Invalid environment variable name '1BAD-NAME'");
  }

  @Test
  void of_nulInValue_rejects() {
    assertThatThrownBy(() -> EnvironmentAllowList.of(Map.of("A", "x\0y")))
        .hasMessageContaining("contains a NUL byte");
  }
}
