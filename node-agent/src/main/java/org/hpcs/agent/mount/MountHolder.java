package org.hpcs.agent.mount;

/**
 * A process that keeps a mount busy.
 *
 * @param pid process id in the agent's PID namespace
 * @param command the process name from {@code /proc/<pid>/comm}
 * @param via what points into the mount: {@code cwd}, {@code root}, {@code exe}, {@code fd/<n>} or
 *     {@code maps}
 */
public record MountHolder(long pid, String command, String via) {}
