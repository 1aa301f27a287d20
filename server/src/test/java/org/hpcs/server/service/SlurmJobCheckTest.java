package org.hpcs.server.service;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Optional;
import org.hpcs.common.api.BundleRef;
import org.hpcs.server.http.ApiException;
import org.hpcs.server.slurm.JobDirectory;
import org.hpcs.server.slurm.SlurmException;
import org.hpcs.server.slurm.SlurmJob;
import org.hpcs.server.store.AuditLog;
import org.hpcs.server.store.AuditRecord;
import org.hpcs.server.store.Database;
import org.hpcs.server.store.JobRecord;
import org.hpcs.server.testing.MutableClock;
import org.hpcs.server.testing.TestDatabases;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The comparison of a node's job report with Slurm's; Slurm itself runs in KeyReleaseIT. */
class SlurmJobCheckTest {
  private static final Instant T0 = Instant.parse("2026-05-01T08:00:00Z");
  private static final JobRecord REQUESTED =
      new JobRecord(
          "42",
          "alice",
          "debug",
          List.of("n1", "n2"),
          List.of(new BundleRef("b", "0".repeat(64))),
          T0,
          T0.plusSeconds(3600),
          null);
  private static final AuditRecord CONTEXT = AuditRecord.allowed("node", "job.start", "");

  @TempDir Path temp;

  private Database database;
  private AuditLog audit;

  @BeforeEach
  void open() throws Exception {
    database = TestDatabases.fresh(TestDatabases.Kind.SQLITE, temp).open();
    audit = new AuditLog(database, new MutableClock(T0));
  }

  @AfterEach
  void close() {
    audit.close();
    database.close();
  }

  private JobRecord check(JobDirectory slurm) throws ApiException {
    return new SlurmJobCheck(slurm, new Auditor(audit)).apply(REQUESTED, CONTEXT);
  }

  private static JobDirectory job(
      String user, String state, String partition, List<String> nodes, Duration limit) {
    return id -> Optional.of(new SlurmJob(id, user, state, partition, nodes, limit));
  }

  private String denial(JobDirectory slurm) {
    return assertThrows(ApiException.class, () -> check(slurm)).code();
  }

  @Test
  void apply_matchingRunningJob_capsWindowAtSlurmLimit() throws Exception {
    JobRecord checked =
        check(job("alice", "RUNNING", "debug", List.of("n2", "n1"), Duration.ofMinutes(10)));

    assertThat(checked.deadlineAt()).isEqualTo(T0.plusSeconds(600));
    assertThat(checked.user()).isEqualTo("alice");
  }

  @Test
  void apply_unlimitedSlurmJob_keepsRequestedWindow() throws Exception {
    JobRecord checked = check(job("alice", "RUNNING", "debug", List.of("n1", "n2"), null));

    assertThat(checked.deadlineAt()).isEqualTo(REQUESTED.deadlineAt());
  }

  @Test
  void apply_eachMismatch_deniedWithItsCode() {
    assertThat(denial(id -> Optional.empty())).isEqualTo("job-unknown-to-slurm");
    assertThat(denial(job("alice", "PENDING", "debug", List.of("n1", "n2"), null)))
        .isEqualTo("job-not-running");
    assertThat(denial(job("bob", "RUNNING", "debug", List.of("n1", "n2"), null)))
        .isEqualTo("job-user-mismatch");
    assertThat(denial(job("alice", "RUNNING", "gpu", List.of("n1", "n2"), null)))
        .isEqualTo("job-partition-mismatch");
    assertThat(denial(job("alice", "RUNNING", "debug", List.of("n1"), null)))
        .isEqualTo("job-nodes-mismatch");
  }

  @Test
  void apply_slurmFails_503AndAudited() {
    ApiException e =
        assertThrows(
            ApiException.class,
            () ->
                check(
                    id -> {
                      throw new SlurmException("slurmctld not responding");
                    }));

    assertThat(e.status()).isEqualTo(503);
    assertThat(e.code()).isEqualTo("slurm-unavailable");
    assertThat(audit.query(null, null, null, 10).get(0).reason()).isEqualTo("slurm-unavailable");
  }

  @Test
  void apply_noDirectory_trustsReport() throws Exception {
    assertThat(new SlurmJobCheck(null, new Auditor(audit)).apply(REQUESTED, CONTEXT))
        .isEqualTo(REQUESTED);
  }

  @Test
  void allocates_nodeInCompletedJob_true() throws Exception {
    SlurmJobCheck check =
        new SlurmJobCheck(
            job("alice", "COMPLETED", "debug", List.of("n1", "n2"), null), new Auditor(audit));

    assertThat(check.allocates("42", "n2")).isTrue();
    assertThat(check.allocates("42", "n3")).isFalse();
  }

  @Test
  void allocates_unknownJobOrNoDirectory_false() throws Exception {
    assertThat(new SlurmJobCheck(id -> Optional.empty(), new Auditor(audit)).allocates("42", "n1"))
        .isFalse();
    assertThat(new SlurmJobCheck(null, new Auditor(audit)).allocates("42", "n1")).isFalse();
  }

  @Test
  void allocates_slurmFails_503() {
    SlurmJobCheck check =
        new SlurmJobCheck(
            id -> {
              throw new SlurmException("slurmctld not responding");
            },
            new Auditor(audit));

    ApiException e = assertThrows(ApiException.class, () -> check.allocates("42", "n1"));

    assertThat(e.status()).isEqualTo(503);
    assertThat(e.getMessage()).contains("job 42", "slurmctld not responding");
  }
}
