/**
 * Per-job encrypted mounts on a compute node: {@link org.hpcs.agent.mount.FusePreflight} checks the
 * node, {@link org.hpcs.agent.mount.JobWorkspace} holds a job's directories and its {@link
 * org.hpcs.agent.mount.GocryptfsMount}s, {@link org.hpcs.agent.mount.PlaintextFile} streams data
 * in, and {@link org.hpcs.agent.mount.Unmounter} removes mounts that are still in use. Depends on
 * nothing else in the agent.
 */
package org.hpcs.agent.mount;
