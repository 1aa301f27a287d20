package org.hpcs.server.service;

import java.time.Clock;
import java.time.Instant;
import java.util.Optional;
import java.util.UUID;
import org.hpcs.common.api.Grant;
import org.hpcs.common.api.GrantList;
import org.hpcs.common.api.GrantRequest;
import org.hpcs.server.http.ApiException;
import org.hpcs.server.http.Caller;
import org.hpcs.server.store.AuditRecord;
import org.hpcs.server.store.BundleRecord;
import org.hpcs.server.store.GrantStore;

/** Grants of bundles to cluster users, managed by the bundle owners. */
public final class GrantService {
  private static final int MAX_LIMITS = 1024;

  private final GrantStore grants;
  private final BundleService bundles;
  private final Auditor auditor;
  private final Clock clock;

  /** Creates the service. */
  public GrantService(GrantStore grants, BundleService bundles, Auditor auditor, Clock clock) {
    this.grants = grants;
    this.bundles = bundles;
    this.auditor = auditor;
    this.clock = clock;
  }

  /** Grants a user the use of one of the caller's bundles. */
  public Grant grant(Caller.User caller, GrantRequest request) throws ApiException {
    String bundleId = Checks.require("bundleId", request.bundleId(), Checks.BUNDLE);
    String user = Checks.require("user", request.user(), Checks.USER);
    var partitions = Checks.each("partitions", request.partitions(), Checks.PARTITION, MAX_LIMITS);
    var nodes = Checks.each("nodes", request.nodes(), Checks.NODE, MAX_LIMITS);
    Instant now = clock.instant();
    if (request.expiresAt() != null && !request.expiresAt().isAfter(now)) {
      throw ApiException.badRequest(
          "invalid-field", "field 'expiresAt' (" + request.expiresAt() + ") is not in the future");
    }
    AuditRecord context =
        AuditRecord.allowed(caller.auditName(), "grant.create", "").bundle(bundleId);
    BundleRecord bundle = bundles.ownedBundle(caller, bundleId, context);
    if (bundle.revokedAt() != null) {
      throw auditor.deny(
          ApiException.conflict("bundle-revoked", "bundle " + bundleId + " is revoked"), context);
    }

    Grant grant =
        new Grant(
            "g-" + UUID.randomUUID(),
            bundleId,
            caller.username(),
            user,
            partitions,
            nodes,
            request.expiresAt(),
            now,
            null);
    grants.insert(grant);
    auditor.allowed(
        new AuditRecord(
            caller.auditName(),
            "grant.create",
            "allowed",
            null,
            bundleId,
            null,
            null,
            "grant "
                + grant.grantId()
                + ": "
                + user
                + " may use bundle "
                + bundleId
                + limits(grant)));
    return grant;
  }

  /**
   * Lists grants, newest first: those the caller gave ({@code role} null or {@code owner}) or those
   * the caller received ({@code role} {@code grantee}), optionally of one bundle.
   */
  public GrantList list(Caller.User caller, String bundleId, String role) throws ApiException {
    if (bundleId != null) {
      Checks.require("bundle", bundleId, Checks.BUNDLE);
    }
    if (role == null || role.equals("owner")) {
      return new GrantList(grants.listByOwner(caller.username(), bundleId));
    }
    if (role.equals("grantee")) {
      return new GrantList(grants.listByGrantee(caller.username(), bundleId));
    }
    throw ApiException.badRequest(
        "invalid-field", "query parameter 'role' must be owner or grantee, not '" + role + "'");
  }

  /** Revokes a grant of one of the caller's bundles; revoking twice returns the same grant. */
  public Grant revoke(Caller.User caller, String grantIdText) throws ApiException {
    String grantId = Checks.require("grantId", grantIdText, Checks.BUNDLE);
    Optional<Grant> grant = grants.find(grantId);
    if (grant.isEmpty()) {
      throw ApiException.notFound("grant-unknown", "grant " + grantId + " does not exist");
    }
    AuditRecord context =
        AuditRecord.allowed(caller.auditName(), "grant.revoke", "").bundle(grant.get().bundleId());
    if (!grant.get().owner().equals(caller.username())) {
      throw auditor.deny(
          ApiException.forbidden(
              "not-bundle-owner", "grant " + grantId + " belongs to another owner"),
          context);
    }
    if (grants.revoke(grantId, clock.instant())) {
      auditor.allowed(
          new AuditRecord(
              caller.auditName(),
              "grant.revoke",
              "allowed",
              null,
              grant.get().bundleId(),
              null,
              null,
              "grant " + grantId + " of " + grant.get().user() + " revoked"));
    }
    return grants.find(grantId).orElseThrow();
  }

  private static String limits(Grant grant) {
    StringBuilder text = new StringBuilder();
    if (!grant.partitions().isEmpty()) {
      text.append(", partitions ").append(grant.partitions());
    }
    if (!grant.nodes().isEmpty()) {
      text.append(", nodes ").append(grant.nodes());
    }
    if (grant.expiresAt() != null) {
      text.append(", until ").append(grant.expiresAt());
    }
    return text.toString();
  }
}
