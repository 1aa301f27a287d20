package org.hpcs.common.api;

/**
 * Reports a step of the per-job pipeline for the audit log.
 *
 * @param node the reporting node
 * @param step the Slurm step identifier
 * @param event a short event name such as {@code mounted} or {@code failed}
 * @param detail free text, at most 1024 characters, never a secret
 */
public record JobEventRequest(String node, String step, String event, String detail) {}
