package org.hpcs.agent.userio;

import com.sun.jna.ptr.IntByReference;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import java.util.regex.Pattern;

/**
 * A Unix user with the ids the kernel checks file access against.
 *
 * @param name the login name
 * @param uid the user id, not 0
 * @param gid the primary group id
 * @param groups every group of the user, the primary one included
 */
public record UserIdentity(String name, int uid, int gid, List<Integer> groups) {
  private static final Pattern NAME = Pattern.compile("[a-z_][a-z0-9_.-]{0,31}\\$?");
  private static final int MAX_GROUPS = 65_536;

  /** Checks the values and copies the groups. */
  public UserIdentity {
    Objects.requireNonNull(name, "name must not be null");
    if (!NAME.matcher(name).matches()) {
      throw new IllegalArgumentException("invalid user name '" + name + "'");
    }
    if (uid <= 0 || gid < 0) {
      throw new IllegalArgumentException(
          "user " + name + " has uid " + uid + " and gid " + gid + "; root is never a job user");
    }
    groups = List.copyOf(groups);
  }

  /**
   * Looks up the supplementary groups of a user with {@code getgrouplist(3)}, which reads the same
   * sources (files, LDAP, SSSD) as a login.
   *
   * @throws IllegalArgumentException for an invalid name or ids
   */
  public static UserIdentity lookup(String name, int uid, int gid) {
    new UserIdentity(name, uid, gid, List.of());
    int[] buffer = new int[64];
    IntByReference count = new IntByReference(buffer.length);
    while (LibC.INSTANCE.getgrouplist(name, gid, buffer, count) < 0) {
      int needed = Math.max(count.getValue(), buffer.length * 2);
      if (needed > MAX_GROUPS) {
        throw new IllegalArgumentException(
            "user " + name + " is in more than " + MAX_GROUPS + " groups");
      }
      buffer = new int[needed];
      count.setValue(needed);
    }
    List<Integer> groups = new ArrayList<>();
    for (int i = 0; i < count.getValue(); i++) {
      groups.add(buffer[i]);
    }
    return new UserIdentity(name, uid, gid, groups);
  }

  @Override
  public String toString() {
    return name + " (uid " + uid + ", gid " + gid + ", groups " + groups + ")";
  }
}
