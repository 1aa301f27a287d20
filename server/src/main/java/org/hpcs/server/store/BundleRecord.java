package org.hpcs.server.store;

import java.time.Instant;
import org.hpcs.common.api.BundleInfo;

/**
 * A registered bundle and its revocation state.
 *
 * @param info the registered facts
 * @param revokedAt when the owner revoked it, null while usable
 */
public record BundleRecord(BundleInfo info, Instant revokedAt) {}
