package org.hpcs.server.vault;

import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Builds the per-job Vault policy and JWT role. Names and path segments must already be validated
 * against {@code [A-Za-z0-9._-]}, because they are placed into HCL text.
 */
public final class JobVaultObjects {
  private JobVaultObjects() {}

  /** Returns the name of the job's policy and role, {@code hpcs-job-<jobId>}. */
  public static String name(String jobId) {
    return "hpcs-job-" + jobId;
  }

  /**
   * Returns the HTTP API path of the secret {@code kvPath} in a KV version 2 mount: the {@code
   * data/} segment goes right after the whole mount, also when the mount has several segments.
   */
  public static String dataPath(String kvMount, String kvPath) {
    return trimSlashes(kvMount) + "/data/" + kvPath;
  }

  /**
   * Returns the policy text: read on exactly the given secrets, and permission for the token to
   * revoke itself, since the role grants no default policy.
   *
   * @param dataPaths full HTTP API paths from {@link #dataPath}
   */
  public static String policy(String jobId, List<String> dataPaths) {
    StringBuilder hcl = new StringBuilder("# HPCS job ").append(jobId).append('\n');
    for (String path : dataPaths) {
      hcl.append("path \"").append(path).append("\" {\n  capabilities = [\"read\"]\n}\n");
    }
    hcl.append("path \"auth/token/revoke-self\" {\n  capabilities = [\"update\"]\n}\n");
    return hcl.toString();
  }

  /**
   * Returns the JWT role body.
   *
   * @param subjects the SPIFFE IDs of the job's node agents, the only accepted {@code sub} values
   * @param audience the audience the agents request their JWT-SVIDs for
   * @param ttlSeconds token lifetime, at most the job's remaining time
   * @param numUses how many requests a token may make
   */
  public static Map<String, Object> role(
      String jobId, List<String> subjects, String audience, long ttlSeconds, int numUses) {
    Map<String, Object> role = new LinkedHashMap<>();
    role.put("role_type", "jwt");
    role.put("user_claim", "sub");
    role.put("bound_audiences", List.of(audience));
    role.put("bound_claims_type", "string");
    role.put("bound_claims", Map.of("sub", List.copyOf(subjects)));
    role.put("token_policies", List.of(name(jobId)));
    role.put("token_no_default_policy", true);
    role.put("token_type", "service");
    role.put("token_ttl", ttlSeconds);
    role.put("token_max_ttl", ttlSeconds);
    role.put("token_explicit_max_ttl", ttlSeconds);
    role.put("token_num_uses", numUses);
    return role;
  }

  private static String trimSlashes(String mount) {
    String trimmed = mount.strip();
    while (trimmed.startsWith("/")) {
      trimmed = trimmed.substring(1);
    }
    while (trimmed.endsWith("/")) {
      trimmed = trimmed.substring(0, trimmed.length() - 1);
    }
    return trimmed;
  }
}
