package org.hpcs.agent.runtime;

import java.util.Objects;
import java.util.regex.Pattern;
import org.hpcs.agent.mount.FileOwner;

/**
 * The Unix user a job step runs as.
 *
 * @param name login name, used for {@code USER} and {@code LOGNAME} in the container
 * @param uid user id
 * @param gid primary group id
 */
public record JobUser(String name, int uid, int gid) {
  private static final Pattern NAME = Pattern.compile("[a-z_][a-z0-9_.-]{0,31}\\$?");

  /** Checks the name and ids. */
  public JobUser {
    Objects.requireNonNull(name, "name must not be null");
    if (!NAME.matcher(name).matches()) {
      throw new IllegalArgumentException("Invalid user name '" + name + "'");
    }
    if (uid <= 0 || gid < 0) {
      throw new IllegalArgumentException(
          "Jobs never run as root or with a negative id: uid " + uid + ", gid " + gid);
    }
  }

  /** Returns the user as a file owner. */
  public FileOwner owner() {
    return new FileOwner(uid, gid);
  }
}
