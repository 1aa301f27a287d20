package org.hpcs.testcluster;

import static org.assertj.core.api.Assertions.assertThat;

import io.spiffe.svid.jwtsvid.JwtSvid;
import io.spiffe.svid.x509svid.X509Svid;
import io.spiffe.svid.x509svid.X509SvidValidator;
import io.spiffe.workloadapi.DefaultWorkloadApiClient;
import io.spiffe.workloadapi.WorkloadApiClient;
import io.spiffe.workloadapi.X509Context;
import java.time.Instant;
import java.util.Set;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

@ExtendWith(TestClusterExtension.class)
class SpireWorkloadApiIT {

  private static final String AUDIENCE = "hpcs-it";

  static WorkloadApiClient agentOf(TestCluster cluster, String node) throws Exception {
    return DefaultWorkloadApiClient.newClient(
        DefaultWorkloadApiClient.ClientOptions.builder()
            .spiffeSocketPath(cluster.spireAgentAddress(node))
            .build());
  }

  @Test
  void fetchX509Context_agentOfN2_returnsN2SvidChainingToBundle(TestCluster cluster)
      throws Exception {
    cluster.assumeSpire();

    try (WorkloadApiClient client = agentOf(cluster, "n2")) {
      X509Context context = client.fetchX509Context();
      X509Svid svid = context.getDefaultSvid();

      assertThat(svid.getSpiffeId().toString()).isEqualTo("spiffe://hpcs.test/hpcs/node/n2");
      assertThat(svid.getLeaf().getNotAfter().toInstant()).isAfter(Instant.now());
      X509SvidValidator.verifyChain(svid.getChain(), context.getX509BundleSet());
    }
  }

  @Test
  void fetchX509Context_agentOfN1_returnsItsOwnNodeId(TestCluster cluster) throws Exception {
    cluster.assumeSpire();

    try (WorkloadApiClient client = agentOf(cluster, "n1")) {
      X509Svid svid = client.fetchX509Context().getDefaultSvid();

      assertThat(svid.getSpiffeId().toString()).isEqualTo(cluster.nodeSpiffeId("n1"));
    }
  }

  @Test
  void fetchJwtSvid_agentOfN2_isSignedForAudienceByIssuer(TestCluster cluster) throws Exception {
    cluster.assumeSpire();

    try (WorkloadApiClient client = agentOf(cluster, "n2")) {
      JwtSvid svid = client.fetchJwtSvid(AUDIENCE);
      JwtSvid validated =
          JwtSvid.parseAndValidate(svid.getToken(), client.fetchJwtBundles(), Set.of(AUDIENCE));

      assertThat(validated.getSpiffeId().toString()).isEqualTo("spiffe://hpcs.test/hpcs/node/n2");
      assertThat(validated.getAudience()).containsExactly(AUDIENCE);
      assertThat(validated.getClaims()).containsEntry("iss", cluster.oidcDiscoveryUrl().toString());
      assertThat(validated.getExpiry().toInstant()).isAfter(Instant.now());
    }
  }
}
