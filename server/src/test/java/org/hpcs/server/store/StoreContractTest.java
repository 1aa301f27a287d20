package org.hpcs.server.store;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.nio.file.Path;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.Callable;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import org.hpcs.attest.jointoken.JoinTokenStore.Outcome;
import org.hpcs.common.api.AuditEntry;
import org.hpcs.common.api.BundleInfo;
import org.hpcs.common.api.BundleRef;
import org.hpcs.common.api.Grant;
import org.hpcs.server.testing.MutableClock;
import org.hpcs.server.testing.TestDatabases;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Repository tests that every supported database must pass. */
abstract class StoreContractTest {
  private static final Instant T0 = Instant.parse("2026-03-01T10:00:00Z");

  @TempDir Path temp;

  private TestDatabases.Settings settings;
  private Database database;
  private AuditLog audit;
  private final MutableClock clock = new MutableClock(T0);

  abstract TestDatabases.Kind kind();

  @BeforeEach
  void openDatabase() throws Exception {
    settings = TestDatabases.fresh(kind(), temp);
    database = settings.open();
  }

  @AfterEach
  void closeDatabase() {
    if (audit != null) {
      audit.close();
    }
    database.close();
  }

  @Test
  void open_secondTime_keepsDataAndSchema() {
    new NodeStore(database)
        .recordEnrolment("n1", "spiffe://hpcs.test/hpcs/node/n1", "join-token", T0);

    try (Database again = settings.open()) {
      assertThat(new NodeStore(again).find("n1")).isPresent();
    }
  }

  @Test
  void consume_eachOutcome_reportedAndOnlyLiveTokenSpent() {
    JoinTokenRepository tokens = new JoinTokenRepository(database);
    tokens.insert("a".repeat(64), "n1", "admin", T0, T0.plusSeconds(60));
    tokens.insert("b".repeat(64), "n1", "admin", T0, T0.minusSeconds(1));

    assertThat(tokens.consume("a".repeat(64), "n2", T0)).isEqualTo(Outcome.WRONG_NODE);
    assertThat(tokens.consume("a".repeat(64), "n1", T0)).isEqualTo(Outcome.CONSUMED);
    assertThat(tokens.consume("a".repeat(64), "n1", T0)).isEqualTo(Outcome.ALREADY_USED);
    assertThat(tokens.consume("b".repeat(64), "n1", T0)).isEqualTo(Outcome.EXPIRED);
    assertThat(tokens.consume("c".repeat(64), "n1", T0)).isEqualTo(Outcome.UNKNOWN);
  }

  @Test
  void consume_concurrentAttempts_exactlyOneSucceeds() throws Exception {
    JoinTokenRepository tokens = new JoinTokenRepository(database);
    tokens.insert("d".repeat(64), "n1", "admin", T0, T0.plusSeconds(60));
    List<Callable<Outcome>> attempts = new ArrayList<>();
    for (int i = 0; i < 8; i++) {
      attempts.add(() -> tokens.consume("d".repeat(64), "n1", T0));
    }

    List<Outcome> outcomes = new ArrayList<>();
    try (ExecutorService pool = Executors.newFixedThreadPool(8)) {
      for (Future<Outcome> future : pool.invokeAll(attempts)) {
        outcomes.add(future.get());
      }
    }

    assertThat(outcomes).filteredOn(o -> o == Outcome.CONSUMED).hasSize(1);
    assertThat(outcomes).filteredOn(o -> o == Outcome.ALREADY_USED).hasSize(7);
  }

  @Test
  void take_challengeTwice_secondIsEmpty() {
    ChallengeStore challenges = new ChallengeStore(database);
    challenges.insert(
        new ChallengeRecord(
            "c1", "n1", "join-token", new byte[32], T0, Map.of(), 1, T0.plusSeconds(60)),
        T0);

    assertThat(challenges.take("c1", T0))
        .hasValueSatisfying(c -> assertThat(c.node()).isEqualTo("n1"));
    assertThat(challenges.take("c1", T0)).isEmpty();
    assertThat(challenges.take("missing", T0)).isEmpty();
    assertThat(challenges.wasIssued("c1")).isTrue();
    assertThat(challenges.wasIssued("missing")).isFalse();
  }

  @Test
  void take_followUpChallenge_keepsRoundIssueTimeAndParameters() {
    ChallengeStore challenges = new ChallengeStore(database);
    byte[] nonce = new byte[32];
    nonce[0] = 7;
    Map<String, String> parameters = Map.of("credentialBlob", "AAEC", "devIdName", "000b12");
    challenges.insert(
        new ChallengeRecord(
            "c2", "n3", "tpm-devid", nonce, T0.minusSeconds(5), parameters, 2, T0.plusSeconds(60)),
        T0);

    ChallengeRecord taken = challenges.take("c2", T0).orElseThrow();

    assertThat(taken.nonce()).isEqualTo(nonce);
    assertThat(taken.issuedAt()).isEqualTo(T0.minusSeconds(5));
    assertThat(taken.parameters()).isEqualTo(parameters);
    assertThat(taken.round()).isEqualTo(2);
    assertThat(taken.expiresAt()).isEqualTo(T0.plusSeconds(60));
  }

  @Test
  void revoke_enrolledNode_blocksEnrolmentUntilReinstated() {
    NodeStore nodes = new NodeStore(database);
    nodes.recordEnrolment("n1", "spiffe://hpcs.test/hpcs/node/n1", "join-token", T0);

    nodes.revoke("n1", "spiffe://hpcs.test/hpcs/node/n1", T0);

    assertThat(nodes.find("n1").orElseThrow().revoked()).isTrue();
    assertThat(nodes.recordEnrolment("n1", "spiffe://hpcs.test/hpcs/node/n1", "join-token", T0))
        .isFalse();
    assertThat(nodes.reinstate("n1")).isTrue();
    assertThat(nodes.find("n1").orElseThrow().trusted()).isFalse();
    assertThat(nodes.recordEnrolment("n1", "spiffe://hpcs.test/hpcs/node/n1", "join-token", T0))
        .isTrue();
    assertThat(nodes.find("n1").orElseThrow().trusted()).isTrue();
  }

  private static BundleInfo bundle(String id) {
    return new BundleInfo(
        id,
        "owner",
        "f".repeat(64),
        "e".repeat(64),
        4096,
        "kv-hpcs",
        "owners/owner/bundles/" + id,
        "age1recipient",
        T0);
  }

  @Test
  void register_sameIdTwice_secondRejectedAndKeyPinned() {
    BundleStore bundles = new BundleStore(database);
    BundleInfo info = bundle("b1");

    assertThat(bundles.register(info, "key-1")).isTrue();
    assertThat(bundles.register(info, "key-2")).isFalse();
    assertThat(bundles.ownerKey("owner")).hasValue("key-1");
    assertThat(bundles.find("b1").orElseThrow().info()).isEqualTo(info);
    assertThat(bundles.revoke("b1", T0)).isTrue();
    assertThat(bundles.revoke("b1", T0)).isFalse();
    assertThat(bundles.idsOwnedBy("owner")).containsExactly("b1");
  }

  @Test
  void grants_insertListRevoke_roundTrip() {
    new BundleStore(database).register(bundle("b1"), "k");
    GrantStore grants = new GrantStore(database);
    Grant grant =
        new Grant(
            "g-1",
            "b1",
            "owner",
            "alice",
            List.of("debug"),
            List.of("n1"),
            T0.plusSeconds(60),
            T0,
            null);

    grants.insert(grant);

    assertThat(grants.find("g-1")).hasValue(grant);
    assertThat(grants.listByOwner("owner", null)).containsExactly(grant);
    assertThat(grants.listByOwner("owner", "other")).isEmpty();
    assertThat(grants.forBundleAndUser("b1", "alice")).containsExactly(grant);
    assertThat(grants.countLive(T0)).isEqualTo(1);
    assertThat(grants.countLive(T0.plusSeconds(61))).isZero();
    assertThat(grants.revoke("g-1", T0)).isTrue();
    assertThat(grants.find("g-1").orElseThrow().revokedAt()).isEqualTo(T0);
    assertThat(grants.countLive(T0)).isZero();
  }

  @Test
  void jobs_startOnTwoNodes_lastEndReleasesOnce() {
    JobStore jobs = new JobStore(database);
    JobRecord job = job("42", T0.plusSeconds(600));

    jobs.recordStart(job, "n1", T0);
    jobs.recordStart(job, "n2", T0);
    jobs.recordStart(job, "n2", T0);

    assertThat(jobs.countActive()).isEqualTo(1);
    JobStore.EndResult first = jobs.recordEnd("42", "n1", T0).orElseThrow();
    assertThat(first.remainingNodes()).containsExactly("n2");
    assertThat(first.releaseNow()).isFalse();
    assertThat(jobs.recordEnd("42", "n1", T0)).isEmpty();
    JobStore.EndResult last = jobs.recordEnd("42", "n2", T0).orElseThrow();
    assertThat(last.remainingNodes()).isEmpty();
    assertThat(last.releaseNow()).isTrue();
    assertThat(jobs.countActive()).isZero();
  }

  @Test
  void jobs_pastDeadline_listedAsOverdueUntilReleased() {
    JobStore jobs = new JobStore(database);
    jobs.recordStart(job("7", T0.plusSeconds(60)), "n1", T0);

    assertThat(jobs.overdue(T0)).isEmpty();
    assertThat(jobs.overdue(T0.plusSeconds(61))).extracting(JobRecord::id).containsExactly("7");
    assertThat(jobs.forceRelease("7", T0.plusSeconds(61))).isTrue();
    assertThat(jobs.forceRelease("7", T0.plusSeconds(61))).isFalse();
    assertThat(jobs.overdue(T0.plusSeconds(61))).isEmpty();
    assertThat(jobs.find("7").orElseThrow().bundles())
        .containsExactly(new BundleRef("b1", "f".repeat(64)));
  }

  @Test
  void audit_appendedRecords_chainVerifiesAndQueriesFilter() {
    audit = new AuditLog(database, clock);
    audit.append(AuditRecord.allowed("user:owner", "grant.create", "granted").bundle("b1"));
    clock.advance(Duration.ofSeconds(1));
    audit.append(
        AuditRecord.denied("spiffe://x", "job.start", "grant-missing", "no grant")
            .bundle("b2")
            .job("9"));
    audit.append(
        AuditRecord.allowed("user:owner", "bundle.register", "b1 registered").bundle("b1"));

    assertThat(audit.verifyChain()).isEqualTo(-1);
    List<AuditEntry> owned = audit.query(Set.of("b1"), null, null, 100);
    assertThat(owned)
        .extracting(AuditEntry::action)
        .containsExactly("grant.create", "bundle.register");
    assertThat(audit.query(null, null, "9", 100))
        .extracting(AuditEntry::reason)
        .containsExactly("grant-missing");
    assertThat(audit.query(Set.of(), null, null, 100)).isEmpty();
    assertThat(audit.query(null, null, null, 1)).extracting(AuditEntry::seq).containsExactly(3L);
  }

  @Test
  void append_concurrentCallers_chainStaysIntact() throws Exception {
    audit = new AuditLog(database, clock);
    List<Callable<AuditEntry>> calls = new ArrayList<>();
    for (int i = 0; i < 40; i++) {
      String detail = "record " + i;
      calls.add(() -> audit.append(AuditRecord.allowed("user:owner", "grant.create", detail)));
    }

    List<Long> seqs = new ArrayList<>();
    try (ExecutorService pool = Executors.newFixedThreadPool(8)) {
      for (Future<AuditEntry> future : pool.invokeAll(calls)) {
        seqs.add(future.get().seq());
      }
    }

    assertThat(seqs).doesNotHaveDuplicates().hasSize(40);
    assertThat(audit.verifyChain()).isEqualTo(-1);
    assertThat(audit.query(null, null, null, 100)).hasSize(40);
  }

  @Test
  void append_afterClose_rejected() {
    audit = new AuditLog(database, clock);
    audit.close();

    StoreException e =
        assertThrows(
            StoreException.class,
            () -> audit.append(AuditRecord.allowed("user:owner", "grant.create", "late")));

    assertThat(e.getMessage()).contains("closed");
  }

  @Test
  void audit_updateOrDelete_rejectedByDatabase() {
    audit = new AuditLog(database, clock);
    audit.append(AuditRecord.allowed("user:owner", "grant.create", "granted"));

    StoreException update =
        assertThrows(StoreException.class, () -> execute("UPDATE audit SET detail = 'x'"));
    StoreException delete = assertThrows(StoreException.class, () -> execute("DELETE FROM audit"));

    assertThat(update.getMessage()).contains("append-only");
    assertThat(delete.getMessage()).contains("append-only");
    assertThat(audit.verifyChain()).isEqualTo(-1);
  }

  private void execute(String sql) {
    database.inTransaction(
        connection -> {
          try (Statement statement = connection.createStatement()) {
            statement.execute(sql);
          } catch (SQLException e) {
            throw e;
          }
          return null;
        });
  }

  private static JobRecord job(String id, Instant deadline) {
    return new JobRecord(
        id,
        "alice",
        "debug",
        List.of("n1", "n2"),
        List.of(new BundleRef("b1", "f".repeat(64))),
        T0,
        deadline,
        null);
  }
}
