package org.hpcs.server.service;

import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.locks.ReentrantLock;
import org.hpcs.common.api.BundleInfo;
import org.hpcs.common.api.BundleRef;
import org.hpcs.common.api.JobEndRequest;
import org.hpcs.common.api.JobEndResponse;
import org.hpcs.common.api.JobEventRequest;
import org.hpcs.common.api.JobStartRequest;
import org.hpcs.common.api.JobStartResponse;
import org.hpcs.common.api.KeyLocation;
import org.hpcs.server.http.ApiException;
import org.hpcs.server.http.Caller;
import org.hpcs.server.slurm.JobDirectory;
import org.hpcs.server.spire.SpireCli;
import org.hpcs.server.store.AuditRecord;
import org.hpcs.server.store.BundleRecord;
import org.hpcs.server.store.BundleStore;
import org.hpcs.server.store.GrantStore;
import org.hpcs.server.store.JobRecord;
import org.hpcs.server.store.JobStore;
import org.hpcs.server.vault.JobVaultObjects;
import org.hpcs.server.vault.VaultClient;
import org.hpcs.server.vault.VaultException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Per-job key release: checks node, user, grants and manifests, then creates the job's Vault policy
 * and JWT role; deletes both when the last node ends the job or its time runs out.
 */
public final class JobService {
  private static final Logger LOG = LoggerFactory.getLogger(JobService.class);
  private static final int MAX_NODES = 4096;
  private static final int MAX_BUNDLES = 64;
  private static final int LOCK_STRIPES = 64;

  /**
   * Job settings.
   *
   * @param trustDomain SPIFFE trust domain of the node agents
   * @param jwtMount JWT auth mount
   * @param jwtAudience audience bound on every role
   * @param maxJobTime cap on a job's key-release window
   */
  public record Settings(
      String trustDomain, String jwtMount, String jwtAudience, Duration maxJobTime) {}

  private final Settings settings;
  private final JobStore jobs;
  private final BundleStore bundles;
  private final GrantStore grants;
  private final VaultClient vault;
  private final Auditor auditor;
  private final Clock clock;
  private final SlurmJobCheck slurmCheck;
  private final ReentrantLock[] locks = new ReentrantLock[LOCK_STRIPES];

  /**
   * Creates the service.
   *
   * @param slurm checks each job's user, state, partition and nodes with Slurm; null skips the
   *     check and trusts the node agent's report
   */
  public JobService(
      Settings settings,
      JobStore jobs,
      BundleStore bundles,
      GrantStore grants,
      VaultClient vault,
      Auditor auditor,
      Clock clock,
      JobDirectory slurm) {
    this.settings = settings;
    this.jobs = jobs;
    this.bundles = bundles;
    this.grants = grants;
    this.vault = vault;
    this.auditor = auditor;
    this.clock = clock;
    this.slurmCheck = new SlurmJobCheck(slurm, auditor);
    for (int i = 0; i < LOCK_STRIPES; i++) {
      locks[i] = new ReentrantLock();
    }
  }

  // NOTE: the lock serialises start and end of one job inside this process only. With several
  // replicas on PostgreSQL, a start racing the last end on another replica can lose the role;
  // the node agent then sees a failed login and the step fails closed.
  private ReentrantLock lock(String jobId) {
    return locks[Math.floorMod(jobId.hashCode(), LOCK_STRIPES)];
  }

  /** Releases the job's keys to the calling node, after every check passes. */
  public JobStartResponse start(Caller.Node caller, String jobIdText, JobStartRequest request)
      throws ApiException {
    String jobId = Checks.require("jobId", jobIdText, Checks.JOB);
    JobRecord requested = validate(jobId, request);
    AuditRecord context =
        AuditRecord.allowed(caller.auditName(), "job.start", "").job(jobId).node(caller.node());
    if (!requested.nodes().contains(caller.node())) {
      throw auditor.deny(
          ApiException.forbidden(
              "node-not-in-job",
              "node " + caller.node() + " is not in the node list of job " + jobId),
          context);
    }
    requested = slurmCheck.apply(requested, context);
    ReentrantLock lock = lock(jobId);
    lock.lock();
    try {
      return startLocked(caller, requested, context);
    } finally {
      lock.unlock();
    }
  }

  private JobStartResponse startLocked(Caller.Node caller, JobRecord requested, AuditRecord context)
      throws ApiException {
    Instant now = clock.instant();
    Optional<JobRecord> existing = jobs.find(requested.id());
    if (existing.isPresent()) {
      checkSameJob(existing.get(), requested, context);
      if (!now.isBefore(existing.get().deadlineAt())) {
        throw auditor.deny(
            ApiException.forbidden(
                "job-expired",
                "job "
                    + requested.id()
                    + " passed its time limit at "
                    + existing.get().deadlineAt()),
            context);
      }
    }
    List<KeyLocation> keys = new ArrayList<>();
    LinkedHashSet<String> recipients = new LinkedHashSet<>();
    for (BundleRef ref : requested.bundles()) {
      BundleInfo bundle = checkBundle(requested, ref, context.bundle(ref.bundleId()), now).info();
      // The location comes from the signed manifest, checked at registration against the
      // pattern owners/<owner>/bundles/<bundleId> and this server's mount.
      keys.add(
          new KeyLocation(
              ref.bundleId(),
              bundle.kvMount(),
              bundle.kvPath(),
              JobVaultObjects.dataPath(bundle.kvMount(), bundle.kvPath())));
      recipients.add(bundle.outputRecipient());
    }

    JobRecord job = jobs.recordStart(existing.orElse(requested), caller.node(), now);
    writeVaultObjects(job, keys, now, caller, context);
    List<AuditRecord> records = new ArrayList<>();
    records.add(
        new AuditRecord(
            context.actor(),
            "job.start",
            "allowed",
            null,
            null,
            job.id(),
            caller.node(),
            "job " + job.id() + " of " + job.user() + " started on " + caller.node()));
    for (KeyLocation key : keys) {
      records.add(
          new AuditRecord(
              context.actor(),
              "key.release",
              "allowed",
              null,
              key.bundleId(),
              job.id(),
              caller.node(),
              "key of bundle "
                  + key.bundleId()
                  + " released to job "
                  + job.id()
                  + " of "
                  + job.user()
                  + " on "
                  + caller.node()
                  + " through role "
                  + JobVaultObjects.name(job.id())));
    }
    auditor.allowed(records);
    return new JobStartResponse(
        JobVaultObjects.name(job.id()),
        settings.jwtAudience(),
        vault.address().toString(),
        settings.jwtMount(),
        keys,
        List.copyOf(recipients),
        job.deadlineAt());
  }

  private JobRecord validate(String jobId, JobStartRequest request) throws ApiException {
    String user = Checks.require("user", request.user(), Checks.USER);
    String partition = Checks.require("partition", request.partition(), Checks.PARTITION);
    List<String> nodes = Checks.each("nodes", request.nodes(), Checks.NODE, MAX_NODES);
    if (nodes.isEmpty()) {
      throw ApiException.badRequest("missing-field", "field 'nodes' must list the job's nodes");
    }
    if (request.timeLimitSeconds() < 0) {
      throw ApiException.badRequest(
          "invalid-field",
          "field 'timeLimitSeconds' must be 0 (no limit) or positive, got "
              + request.timeLimitSeconds());
    }
    List<BundleRef> refs = bundleRefs(request.bundles());
    Instant now = clock.instant();
    // A job without a Slurm time limit gets the longest window this server allows.
    Duration window = Duration.ofSeconds(request.timeLimitSeconds());
    if (window.isZero() || window.compareTo(settings.maxJobTime()) > 0) {
      window = settings.maxJobTime();
    }
    return new JobRecord(
        jobId,
        user,
        partition,
        List.copyOf(new LinkedHashSet<>(nodes)),
        refs,
        now,
        now.plus(window),
        null);
  }

  private static List<BundleRef> bundleRefs(List<BundleRef> requested) throws ApiException {
    if (requested == null || requested.isEmpty() || requested.size() > MAX_BUNDLES) {
      throw ApiException.badRequest(
          "invalid-field", "field 'bundles' must list 1.." + MAX_BUNDLES + " bundles");
    }
    List<BundleRef> refs = new ArrayList<>();
    HashSet<String> seen = new HashSet<>();
    for (int i = 0; i < requested.size(); i++) {
      BundleRef ref = requested.get(i);
      if (ref == null) {
        throw ApiException.badRequest("invalid-field", "field 'bundles[" + i + "]' is null");
      }
      String id = Checks.require("bundles[" + i + "].bundleId", ref.bundleId(), Checks.BUNDLE);
      String digest =
          Checks.require("bundles[" + i + "].manifestSha256", ref.manifestSha256(), Checks.SHA256);
      if (!seen.add(id)) {
        throw ApiException.badRequest("invalid-field", "bundle " + id + " is listed twice");
      }
      refs.add(new BundleRef(id, digest));
    }
    return refs;
  }

  private void checkSameJob(JobRecord stored, JobRecord requested, AuditRecord context)
      throws ApiException {
    boolean same =
        stored.user().equals(requested.user())
            && stored.partition().equals(requested.partition())
            && new HashSet<>(stored.nodes()).equals(new HashSet<>(requested.nodes()))
            && new HashSet<>(stored.bundles()).equals(new HashSet<>(requested.bundles()));
    if (!same) {
      throw auditor.deny(
          ApiException.conflict(
              "job-mismatch",
              "job "
                  + requested.id()
                  + " was started with another user, partition, node list or"
                  + " bundle list"),
          context);
    }
  }

  private BundleRecord checkBundle(JobRecord job, BundleRef ref, AuditRecord context, Instant now)
      throws ApiException {
    Optional<BundleRecord> bundle = bundles.find(ref.bundleId());
    if (bundle.isEmpty()) {
      throw auditor.deny(
          ApiException.forbidden(
              "bundle-unknown", "bundle " + ref.bundleId() + " is not registered"),
          context);
    }
    if (bundle.get().revokedAt() != null) {
      throw auditor.deny(
          ApiException.forbidden(
              "bundle-revoked", "bundle " + ref.bundleId() + " is revoked by its owner"),
          context);
    }
    if (!bundle.get().info().manifestSha256().equals(ref.manifestSha256())) {
      throw auditor.deny(
          ApiException.forbidden(
              "manifest-mismatch",
              "manifest of bundle "
                  + ref.bundleId()
                  + " has sha256 "
                  + ref.manifestSha256()
                  + " but "
                  + bundle.get().info().manifestSha256()
                  + " is registered"),
          context);
    }
    Optional<String> denial =
        GrantCheck.denial(
            grants.forBundleAndUser(ref.bundleId(), job.user()), job.partition(), job.nodes(), now);
    if (denial.isPresent()) {
      throw auditor.deny(
          ApiException.forbidden(
              denial.get(),
              "user "
                  + job.user()
                  + " holds no live grant of bundle "
                  + ref.bundleId()
                  + " for partition "
                  + job.partition()
                  + " and nodes "
                  + job.nodes()
                  + " ("
                  + denial.get()
                  + ")"),
          context);
    }
    return bundle.get();
  }

  private void writeVaultObjects(
      JobRecord job, List<KeyLocation> keys, Instant now, Caller.Node caller, AuditRecord context)
      throws ApiException {
    String name = JobVaultObjects.name(job.id());
    List<String> subjects =
        job.nodes().stream().map(n -> SpireCli.nodeId(settings.trustDomain(), n)).toList();
    long ttl = Math.max(1, Duration.between(now, job.deadlineAt()).toSeconds());
    try {
      vault.putPolicy(
          name,
          JobVaultObjects.policy(job.id(), keys.stream().map(KeyLocation::httpPath).toList()));
      vault.putJwtRole(
          settings.jwtMount(),
          name,
          JobVaultObjects.role(job.id(), subjects, settings.jwtAudience(), ttl, keys.size() + 2));
    } catch (VaultException e) {
      jobs.recordEnd(job.id(), caller.node(), now);
      throw auditor.deny(
          ApiException.unavailable(
              "vault-unavailable", "cannot create Vault role " + name + ": " + e.getMessage()),
          context);
    }
  }

  /** Records the end of the job on the calling node; the last node's end deletes the role. */
  public JobEndResponse end(Caller.Node caller, String jobIdText, JobEndRequest request)
      throws ApiException {
    String jobId = Checks.require("jobId", jobIdText, Checks.JOB);
    String node = Checks.require("node", request.node(), Checks.NODE);
    if (!node.equals(caller.node())) {
      throw ApiException.forbidden(
          "node-mismatch", "node " + caller.node() + " cannot report the end on node " + node);
    }
    JobRecord job =
        jobs.find(jobId)
            .orElseThrow(
                () -> ApiException.notFound("job-unknown", "job " + jobId + " was never started"));
    ReentrantLock lock = lock(jobId);
    lock.lock();
    try {
      Optional<JobStore.EndResult> result = jobs.recordEnd(jobId, node, clock.instant());
      if (result.isEmpty()) {
        return new JobEndResponse(jobId, List.of(), job.releasedAt() != null);
      }
      List<AuditRecord> records = new ArrayList<>();
      records.add(
          new AuditRecord(
              caller.auditName(),
              "job.end",
              "allowed",
              null,
              null,
              jobId,
              node,
              "job "
                  + jobId
                  + " ended on "
                  + node
                  + "; still running on "
                  + result.get().remainingNodes()));
      if (result.get().releaseNow()) {
        try {
          records.add(
              deleteVaultObjects(
                  jobId, caller.auditName(), "job " + jobId + " ended on every node"));
        } catch (ApiException e) {
          auditor.allowed(records);
          throw e;
        }
      }
      auditor.allowed(records);
      return new JobEndResponse(jobId, result.get().remainingNodes(), result.get().releaseNow());
    } finally {
      lock.unlock();
    }
  }

  /** Ends a job on every node and deletes its Vault objects, for an admin or the sweeper. */
  public boolean forceEnd(String actor, String jobId, String why) throws ApiException {
    ReentrantLock lock = lock(jobId);
    lock.lock();
    try {
      if (!jobs.forceRelease(jobId, clock.instant())) {
        return false;
      }
      auditor.allowed(deleteVaultObjects(jobId, actor, why));
      return true;
    } finally {
      lock.unlock();
    }
  }

  /**
   * Deletes the job's role and policy and returns the audit record of the release. On failure it
   * records the failure itself, because the caller then writes no records.
   */
  private AuditRecord deleteVaultObjects(String jobId, String actor, String why)
      throws ApiException {
    String name = JobVaultObjects.name(jobId);
    try {
      vault.deleteJwtRole(settings.jwtMount(), name);
      vault.deletePolicy(name);
    } catch (VaultException e) {
      // Reopen the job so that the sweeper tries again at its deadline.
      LOG.error("cannot delete Vault role and policy {}: {}", name, e.getMessage());
      auditor.allowed(
          new AuditRecord(
              actor,
              "job.release",
              "denied",
              "vault-unavailable",
              null,
              jobId,
              null,
              "deleting role " + name + " failed: " + e.getMessage()));
      jobs.reopen(jobId);
      throw ApiException.unavailable(
          "vault-unavailable", "cannot delete Vault role " + name + ": " + e.getMessage());
    }
    return new AuditRecord(
        actor,
        "job.release",
        "allowed",
        null,
        null,
        jobId,
        null,
        why + "; role and policy " + name + " deleted");
  }

  /**
   * Records a pipeline event of a job in the audit log. The job must have been started by one of
   * its nodes, or Slurm must allocate the reporting node to it.
   */
  public void event(Caller.Node caller, String jobIdText, JobEventRequest request)
      throws ApiException {
    String jobId = Checks.require("jobId", jobIdText, Checks.JOB);
    String node = Checks.require("node", request.node(), Checks.NODE);
    String step = Checks.text("step", request.step(), 64);
    String event = Checks.require("event", request.event(), Checks.PARTITION);
    String detail = Checks.text("detail", request.detail(), 1024);
    if (!node.equals(caller.node())) {
      throw ApiException.forbidden(
          "node-mismatch", "node " + caller.node() + " cannot report events of node " + node);
    }
    Optional<JobRecord> job = jobs.find(jobId);
    if (job.isPresent() && !job.get().nodes().contains(node)) {
      throw ApiException.forbidden("node-not-in-job", "node " + node + " is not in job " + jobId);
    }
    // Nodes of an allocation report the job's start and end before, or without, a secured step
    // that starts it here; Slurm vouches for those.
    if (job.isEmpty() && !slurmCheck.allocates(jobId, node)) {
      throw ApiException.notFound(
          "job-unknown",
          "job "
              + jobId
              + " was never started here, and Slurm does not allocate node "
              + node
              + " to it");
    }
    auditor.allowed(
        new AuditRecord(
            caller.auditName(),
            "job.event",
            "allowed",
            null,
            null,
            jobId,
            node,
            "step " + step + " " + event + (detail.isEmpty() ? "" : ": " + detail)));
  }

  /** Ends every job whose deadline passed; returns how many were cleaned up. */
  public int sweep() {
    int cleaned = 0;
    for (JobRecord job : jobs.overdue(clock.instant())) {
      try {
        if (forceEnd("sweeper", job.id(), "job " + job.id() + " passed its time limit")) {
          cleaned++;
        }
      } catch (ApiException e) {
        LOG.warn("sweeper could not clean up job {}: {}", job.id(), e.getMessage());
      }
    }
    return cleaned;
  }
}
