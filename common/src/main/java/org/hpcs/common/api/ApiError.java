package org.hpcs.common.api;

/**
 * The body of every error response.
 *
 * @param error a stable, machine-readable code such as {@code unknown-field}
 * @param message a sentence for people that names the value at fault and, where possible, the fix
 */
public record ApiError(String error, String message) {}
