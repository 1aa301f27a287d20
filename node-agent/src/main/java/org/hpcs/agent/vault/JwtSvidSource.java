package org.hpcs.agent.vault;

/** Fetches a JWT-SVID of the node agent for one audience. */
@FunctionalInterface
public interface JwtSvidSource {
  /**
   * Returns a fresh JWT-SVID token; it is a bearer secret, so callers must not log or store it.
   *
   * @throws KeyReleaseException when the SPIRE agent issues none
   */
  String fetch(String audience) throws KeyReleaseException;
}
