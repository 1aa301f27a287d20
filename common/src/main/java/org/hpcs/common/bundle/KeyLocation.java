package org.hpcs.common.bundle;

/**
 * Where the bundle's age identity is stored in Vault.
 *
 * @param kvMount the KV version 2 mount, such as {@code kv-hpcs}
 * @param kvPath the secret path inside the mount, {@code owners/<owner>/bundles/<bundleId>}
 * @param field the secret's field that contains the identity text
 */
public record KeyLocation(String kvMount, String kvPath, String field) {
  /** The field name of the identity in the Vault secret. */
  public static final String IDENTITY_FIELD = "identity";

  /** Returns the standard location of a bundle key. */
  public static KeyLocation forBundle(String kvMount, String owner, String bundleId) {
    return new KeyLocation(kvMount, "owners/" + owner + "/bundles/" + bundleId, IDENTITY_FIELD);
  }
}
