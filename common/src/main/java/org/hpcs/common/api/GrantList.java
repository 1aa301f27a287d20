package org.hpcs.common.api;

import java.util.List;

/**
 * Grants visible to the caller.
 *
 * @param grants the grants, newest first
 */
public record GrantList(List<Grant> grants) {}
