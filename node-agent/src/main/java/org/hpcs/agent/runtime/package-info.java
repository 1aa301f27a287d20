/**
 * Container runtimes that run a job step's command from the job's decrypted SIF as the job user:
 * {@link org.hpcs.agent.runtime.BwrapRuntime} and {@link org.hpcs.agent.runtime.ApptainerRuntime}
 * behind {@link org.hpcs.agent.runtime.ContainerRuntime}. Depends on {@code org.hpcs.agent.mount}
 * and {@code org.hpcs.agent.sif}.
 */
package org.hpcs.agent.runtime;
