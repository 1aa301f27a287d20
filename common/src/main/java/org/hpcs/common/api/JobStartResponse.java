package org.hpcs.common.api;

import java.time.Instant;
import java.util.List;

/**
 * What a node agent needs to read a job's keys.
 *
 * @param vaultRole the JWT role to log in with
 * @param jwtAudience the audience to request the JWT-SVID for
 * @param vaultAddr the Vault address
 * @param jwtMount the JWT auth mount
 * @param keys the key locations, one per bundle
 * @param ownerRecipients age recipients of the bundle owners, for the job's output
 * @param expiresAt when the role is removed at the latest
 */
public record JobStartResponse(
    String vaultRole,
    String jwtAudience,
    String vaultAddr,
    String jwtMount,
    List<KeyLocation> keys,
    List<String> ownerRecipients,
    Instant expiresAt) {}
