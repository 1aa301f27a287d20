package org.hpcs.agent.job;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.charset.StandardCharsets;
import java.util.Optional;
import org.hpcs.agent.protocol.ManifestData;
import org.hpcs.agent.protocol.StepDetails;
import org.hpcs.common.api.BundleRef;
import org.junit.jupiter.api.Test;

class JobFactsTest {
  private static JobContext withManifest(String json) {
    return new JobContext(
        4,
        "n1",
        1001,
        1001,
        new StepDetails(
            Optional.empty(),
            Optional.empty(),
            Optional.empty(),
            Optional.empty(),
            Optional.empty(),
            "--hpcs-secure",
            "/home/a/job.json",
            ManifestData.of(json.getBytes(StandardCharsets.UTF_8)),
            Optional.empty()));
  }

  @Test
  void parseTimeLimit_formats_seconds() throws Exception {
    assertThat(JobFacts.parseTimeLimit("UNLIMITED")).isZero();
    assertThat(JobFacts.parseTimeLimit("30:00")).isEqualTo(1800);
    assertThat(JobFacts.parseTimeLimit("1:00:00")).isEqualTo(3600);
    assertThat(JobFacts.parseTimeLimit("2-01:00:05")).isEqualTo(2 * 86400 + 3605);
  }

  @Test
  void parseTimeLimit_garbage_rejected() {
    assertThatThrownBy(() -> JobFacts.parseTimeLimit("soon"))
        .hasMessageContaining("time limit 'soon'");
  }

  @Test
  void bundles_listed_parsed() throws Exception {
    String sha = "a".repeat(64);

    assertThat(
            JobFacts.bundles(
                withManifest(
                    "{\"bundles\":[{\"bundleId\":\"b-1\",\"manifestSha256\":\"" + sha + "\"}]}")))
        .containsExactly(new BundleRef("b-1", sha));
  }

  @Test
  void bundles_badHash_rejectedNamingManifest() {
    assertThatThrownBy(
            () ->
                JobFacts.bundles(
                    withManifest(
                        "{\"bundles\":[{\"bundleId\":\"b\",\"manifestSha256\":\"xyz\"}]}")))
        .hasMessageContaining("manifest /home/a/job.json of job 4");
  }

  @Test
  void bundles_invalidJson_rejected() {
    assertThatThrownBy(() -> JobFacts.bundles(withManifest("{\"bundles\":")))
        .hasMessageContaining("not valid JSON");
  }

  @Test
  void squeueClassify_states() {
    assertThat(SqueueJobs.classify(1, 0, "RUNNING")).isEqualTo(SlurmJobs.Liveness.ALIVE);
    assertThat(SqueueJobs.classify(1, 0, "COMPLETING")).isEqualTo(SlurmJobs.Liveness.ALIVE);
    assertThat(SqueueJobs.classify(1, 0, "")).isEqualTo(SlurmJobs.Liveness.GONE);
    assertThat(SqueueJobs.classify(1, 0, "COMPLETED")).isEqualTo(SlurmJobs.Liveness.GONE);
    assertThat(SqueueJobs.classify(1, 1, "slurm_load_jobs error: Invalid job id specified"))
        .isEqualTo(SlurmJobs.Liveness.GONE);
    assertThat(SqueueJobs.classify(1, 1, "Unable to contact slurm controller"))
        .isEqualTo(SlurmJobs.Liveness.UNKNOWN);
  }
}
