package org.hpcs.agent.mount;

/**
 * Numeric owner of a file: the job user's uid and primary gid.
 *
 * @param uid user id, not negative
 * @param gid group id, not negative
 */
public record FileOwner(int uid, int gid) {
  /** The root user and group. */
  public static final FileOwner ROOT = new FileOwner(0, 0);

  /** Checks that both ids are valid. */
  public FileOwner {
    if (uid < 0 || gid < 0) {
      throw new IllegalArgumentException(
          "uid and gid must not be negative, got uid " + uid + " gid " + gid);
    }
  }
}
