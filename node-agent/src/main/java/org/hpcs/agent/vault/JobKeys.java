package org.hpcs.agent.vault;

import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.hpcs.common.crypto.AgeIdentity;

/**
 * The age identities of one job's bundles, held in memory only. {@link #close()} drops every
 * reference, so the keys are gone as soon as the garbage collector reclaims them; Java offers no
 * way to overwrite the key material that jagged and the JDK hold.
 */
public final class JobKeys implements AutoCloseable {
  private final Map<String, List<AgeIdentity>> byBundle;

  JobKeys(Map<String, List<AgeIdentity>> byBundle) {
    this.byBundle = new HashMap<>(byBundle);
  }

  /**
   * Returns the identities of a bundle.
   *
   * @throws IllegalStateException when the bundle has no key here or the keys were dropped
   */
  public List<AgeIdentity> of(String bundleId) {
    List<AgeIdentity> identities = byBundle.get(bundleId);
    if (identities == null) {
      throw new IllegalStateException("no key of bundle " + bundleId + " was read for this job");
    }
    return identities;
  }

  /** Returns how many bundles have keys here. */
  public int size() {
    return byBundle.size();
  }

  @Override
  public void close() {
    byBundle.clear();
  }

  @Override
  public String toString() {
    return "JobKeys" + byBundle.keySet();
  }
}
