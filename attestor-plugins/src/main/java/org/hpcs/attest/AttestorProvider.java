package org.hpcs.attest;

import java.util.Map;

/**
 * Creates the node and server sides of one attestor from configuration. Registered in {@code
 * META-INF/services/org.hpcs.attest.AttestorProvider}.
 */
public interface AttestorProvider {
  /** Returns the attestor name used in configuration files. */
  String name();

  /**
   * Creates the node side.
   *
   * @param config attestor settings from the node agent's config file
   * @throws AttestationException when the configuration is invalid; the message names every bad key
   */
  NodeAttestor nodeAttestor(Map<String, String> config) throws AttestationException;

  /**
   * Creates the server side.
   *
   * @param config attestor settings from the server's config file
   * @param services server services the verifier may need, such as a join-token store
   * @throws AttestationException when the configuration is invalid; the message names every bad key
   */
  EvidenceVerifier verifier(Map<String, String> config, VerifierServices services)
      throws AttestationException;
}
