package org.hpcs.common.api;

import java.util.List;

/**
 * Audit records visible to the caller.
 *
 * @param entries the records, oldest first
 */
public record AuditList(List<AuditEntry> entries) {}
