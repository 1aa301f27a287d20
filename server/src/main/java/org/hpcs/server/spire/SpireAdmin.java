package org.hpcs.server.spire;

import java.time.Duration;

/** The SPIRE server operations the HPCS server needs. */
public interface SpireAdmin {
  /**
   * Creates a one-time join token whose agent is aliased to {@code
   * spiffe://<td>/hpcs/spire-agent/<node>}.
   *
   * @throws SpireException when the SPIRE server refuses or cannot be reached
   */
  SpireJoinToken createJoinToken(String node, Duration ttl) throws SpireException;

  /**
   * Makes sure the node agent's entry exists: SPIFFE ID {@code spiffe://<td>/hpcs/node/<node>},
   * parent the agent alias, selector {@code unix:uid:0}. Creates it only when it is missing.
   *
   * @return true when an entry was created, false when it already existed
   * @throws SpireException when the SPIRE server refuses or cannot be reached
   */
  boolean ensureNodeEntry(String node) throws SpireException;

  /**
   * Evicts every SPIRE agent aliased to the node and deletes the alias entries and the node entries
   * parented by the alias. Entries made outside HPCS for the node's SPIFFE ID stay.
   *
   * @return the number of agents evicted
   * @throws SpireException when the SPIRE server refuses or cannot be reached
   */
  int revokeNode(String node) throws SpireException;

  /**
   * Returns the trust domain's X.509 bundle in PEM.
   *
   * @throws SpireException when the SPIRE server refuses or cannot be reached
   */
  String x509BundlePem() throws SpireException;
}
