package org.hpcs.agent.spire;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.spiffe.spiffeid.SpiffeId;
import io.spiffe.workloadapi.X509Source;
import java.nio.charset.StandardCharsets;
import java.time.Clock;
import java.time.Duration;
import java.util.List;
import java.util.UUID;
import java.util.concurrent.TimeUnit;
import org.hpcs.testcluster.TestCluster;
import org.hpcs.testcluster.TestClusterExtension;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/** Fetching the node agent's X.509-SVID from the test cluster's real SPIRE agents. */
@ExtendWith(TestClusterExtension.class)
class SvidFetcherIT {
  @Test
  void fetch_nodeEntryExists_returnsNodeSvid(TestCluster cluster) throws Exception {
    cluster.assumeSpire();
    SpiffeId expected = SpiffeId.parse(cluster.nodeSpiffeId("n1"));

    try (X509Source source =
        new SvidFetcher(
                cluster.spireAgentSocket("n1"), expected, Duration.ofSeconds(30), Clock.systemUTC())
            .fetch()) {
      assertThat(source.getX509Svid().getSpiffeId()).isEqualTo(expected);
    }
  }

  /**
   * The entry carries a hint because java-spiffe 0.8.11 keeps only the first SVID of each hint, so
   * two entries without a hint for one workload would hide one of the SVIDs.
   */
  @Test
  void fetch_entryCreatedJustBefore_retriesUntilIssued(TestCluster cluster) throws Exception {
    cluster.assumeSpire();
    SpiffeId fresh =
        SpiffeId.parse("spiffe://" + cluster.trustDomain() + "/hpcs/it/" + UUID.randomUUID());
    String entryId =
        spire(
                cluster,
                "entry",
                "create",
                "-parentID",
                cluster.spireAgentId("n1"),
                "-spiffeID",
                fresh.toString(),
                "-selector",
                "unix:uid:0",
                "-hint",
                "hpcs-it-" + fresh.getPath().substring(fresh.getPath().lastIndexOf('/') + 1))
            .lines()
            .filter(l -> l.startsWith("Entry ID"))
            .findFirst()
            .orElseThrow()
            .replaceAll(".*:\\s*", "");
    try (X509Source source =
        new SvidFetcher(
                cluster.spireAgentSocket("n1"), fresh, Duration.ofSeconds(60), Clock.systemUTC())
            .fetch()) {
      assertThat(source.getX509Svid().getSpiffeId()).isEqualTo(fresh);
    } finally {
      spire(cluster, "entry", "delete", "-entryID", entryId);
    }
  }

  @Test
  void fetch_noEntry_failsNamingExpectedId(TestCluster cluster) {
    cluster.assumeSpire();
    SpiffeId missing =
        SpiffeId.parse("spiffe://" + cluster.trustDomain() + "/hpcs/node/no-such-node");

    assertThatThrownBy(
            () ->
                new SvidFetcher(
                        cluster.spireAgentSocket("n1"),
                        missing,
                        Duration.ofSeconds(3),
                        Clock.systemUTC())
                    .fetch())
        .isInstanceOf(SvidException.class)
        .hasMessageContaining(
            "no X.509-SVID "
                + missing
                + " issued by the SPIRE agent at "
                + cluster.spireAgentSocket("n1")
                + " within 3 s");
  }

  private static String spire(TestCluster cluster, String... args) throws Exception {
    List<String> command =
        new java.util.ArrayList<>(
            List.of(cluster.spireBinDir().resolve("spire-server").toString()));
    command.add(args[0]);
    command.add(args[1]);
    command.add("-socketPath");
    command.add(cluster.spireServerSocket().toString());
    command.addAll(List.of(args).subList(2, args.length));
    Process process = new ProcessBuilder(command).redirectErrorStream(true).start();
    String output = new String(process.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
    assertThat(process.waitFor(30, TimeUnit.SECONDS)).isTrue();
    assertThat(process.exitValue()).as(output).isZero();
    return output;
  }
}
