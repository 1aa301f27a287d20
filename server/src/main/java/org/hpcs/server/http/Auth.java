package org.hpcs.server.http;

/** The authentication a route requires. */
public enum Auth {
  /** None. */
  NONE,
  /** A node agent's X.509-SVID as TLS client certificate, for an enrolled, unrevoked node. */
  NODE,
  /** A Vault token as bearer token. */
  USER,
  /** A Vault token with the admin policy. */
  ADMIN
}
