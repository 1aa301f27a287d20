package org.hpcs.server.service;

import java.util.List;
import org.hpcs.server.http.ApiException;
import org.hpcs.server.store.AuditLog;
import org.hpcs.server.store.AuditRecord;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/** Writes decisions to the audit log and turns denials into API errors. */
public final class Auditor {
  private static final Logger LOG = LoggerFactory.getLogger(Auditor.class);

  private final AuditLog log;

  /** Creates the auditor. */
  public Auditor(AuditLog log) {
    this.log = log;
  }

  /** Records an allowed decision. */
  public void allowed(AuditRecord record) {
    log.append(record);
  }

  /** Records several decisions in one transaction, in order. */
  public void allowed(List<AuditRecord> records) {
    log.appendAll(records);
  }

  /**
   * Records the denial and returns the exception to throw. The record carries the exception's code
   * as its reason and its message as detail.
   */
  public ApiException deny(ApiException denial, AuditRecord context) {
    log.append(
        new AuditRecord(
            context.actor(),
            context.action(),
            "denied",
            denial.code(),
            context.bundleId(),
            context.jobId(),
            context.node(),
            denial.getMessage()));
    LOG.info(
        "denied {} for {}: {} (job={}, node={}, bundle={})",
        context.action(),
        context.actor(),
        denial.code(),
        context.jobId(),
        context.node(),
        context.bundleId());
    return denial;
  }
}
