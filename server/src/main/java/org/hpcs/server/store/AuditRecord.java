package org.hpcs.server.store;

import java.util.Objects;

/**
 * A decision to append to the audit log.
 *
 * @param actor who asked
 * @param action what was asked, such as {@code grant.create}
 * @param outcome {@code allowed} or {@code denied}
 * @param reason denial reason code, null when allowed
 * @param bundleId bundle concerned, or null
 * @param jobId job concerned, or null
 * @param node node concerned, or null
 * @param detail a sentence for people, never a secret
 */
public record AuditRecord(
    String actor,
    String action,
    String outcome,
    String reason,
    String bundleId,
    String jobId,
    String node,
    String detail) {
  /** Checks the required fields. */
  public AuditRecord {
    Objects.requireNonNull(actor, "actor must not be null");
    Objects.requireNonNull(action, "action must not be null");
    Objects.requireNonNull(outcome, "outcome must not be null");
    Objects.requireNonNull(detail, "detail must not be null");
  }

  /** Starts an allowed record. */
  public static AuditRecord allowed(String actor, String action, String detail) {
    return new AuditRecord(actor, action, "allowed", null, null, null, null, detail);
  }

  /** Starts a denied record. */
  public static AuditRecord denied(String actor, String action, String reason, String detail) {
    return new AuditRecord(actor, action, "denied", reason, null, null, null, detail);
  }

  /** Returns a copy naming the bundle. */
  public AuditRecord bundle(String value) {
    return new AuditRecord(actor, action, outcome, reason, value, jobId, node, detail);
  }

  /** Returns a copy naming the job. */
  public AuditRecord job(String value) {
    return new AuditRecord(actor, action, outcome, reason, bundleId, value, node, detail);
  }

  /** Returns a copy naming the node. */
  public AuditRecord node(String value) {
    return new AuditRecord(actor, action, outcome, reason, bundleId, jobId, value, detail);
  }
}
