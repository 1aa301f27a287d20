package org.hpcs.common.api;

import java.time.Instant;

/**
 * One audit record.
 *
 * @param seq position in the append-only log
 * @param at when the decision was made
 * @param actor who asked: a Vault username, a node SPIFFE ID or {@code anonymous}
 * @param action what was asked, for example {@code job.start}
 * @param outcome {@code allowed} or {@code denied}
 * @param reason the denial reason code, null when allowed
 * @param bundleId the bundle concerned, if any
 * @param jobId the job concerned, if any
 * @param node the node concerned, if any
 * @param detail a sentence for people
 * @param hash hex SHA-256 chaining this record to the previous one
 */
public record AuditEntry(
    long seq,
    Instant at,
    String actor,
    String action,
    String outcome,
    String reason,
    String bundleId,
    String jobId,
    String node,
    String detail,
    String hash) {}
