package org.hpcs.agent.socket;

import java.util.Set;

/**
 * Local users allowed to connect to the agent socket. The SPANK plugin runs as root in slurmstepd
 * and slurmd; the Slurm user is allowed for sites that run slurmd as that user.
 *
 * @param allowedUsers user names allowed to connect
 */
public record PeerPolicy(Set<String> allowedUsers) {
  /** Copies the set. */
  public PeerPolicy {
    allowedUsers = Set.copyOf(allowedUsers);
  }

  /** Returns whether the user may connect. */
  public boolean allows(String user) {
    return allowedUsers.contains(user);
  }
}
