package org.hpcs.server.http;

import java.util.Set;

/** The authenticated party behind a request. */
public sealed interface Caller {
  /** Returns the name written to the audit log. */
  String auditName();

  /**
   * A node agent authenticated by its X.509-SVID.
   *
   * @param node the Slurm node name
   * @param spiffeId the SPIFFE ID of its certificate
   */
  record Node(String node, String spiffeId) implements Caller {
    @Override
    public String auditName() {
      return spiffeId;
    }
  }

  /**
   * A user authenticated by a Vault token.
   *
   * @param username the Vault username
   * @param policies the token's policies
   * @param admin true when the policies include the admin policy
   */
  record User(String username, Set<String> policies, boolean admin) implements Caller {
    /** Copies the policies. */
    public User {
      policies = Set.copyOf(policies);
    }

    @Override
    public String auditName() {
      return "user:" + username;
    }
  }

  /** No authentication (enrolment and operations endpoints). */
  record Anonymous() implements Caller {
    @Override
    public String auditName() {
      return "anonymous";
    }
  }
}
