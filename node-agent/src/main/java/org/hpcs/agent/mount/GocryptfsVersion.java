package org.hpcs.agent.mount;

import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * A gocryptfs release number, parsed from the first line of {@code gocryptfs -version}: Debian
 * prints {@code gocryptfs 2.3; go-fuse ...}, upstream builds print {@code gocryptfs v2.4.0; go-fuse
 * ...}.
 *
 * @param major major release
 * @param minor minor release
 */
public record GocryptfsVersion(int major, int minor) implements Comparable<GocryptfsVersion> {
  /**
   * Oldest supported release. The agent relies on the 2.x behaviour of reading the password from a
   * non-terminal standard input and enabling {@code default_permissions} with {@code -allow_other};
   * it was tested with 2.3 only.
   */
  public static final GocryptfsVersion MINIMUM = new GocryptfsVersion(2, 0);

  private static final Pattern FIRST_LINE = Pattern.compile("^gocryptfs v?(\\d+)\\.(\\d+)");

  /**
   * Parses the output of {@code gocryptfs -version}.
   *
   * @throws IllegalArgumentException if the output does not start with a gocryptfs version
   */
  public static GocryptfsVersion parse(String versionOutput) {
    Matcher m = FIRST_LINE.matcher(versionOutput.strip());
    if (!m.find()) {
      throw new IllegalArgumentException(
          "Unrecognised gocryptfs -version output: "
              + versionOutput.lines().findFirst().orElse("(empty)"));
    }
    return new GocryptfsVersion(Integer.parseInt(m.group(1)), Integer.parseInt(m.group(2)));
  }

  /** Returns true when this release is {@link #MINIMUM} or newer. */
  public boolean isSupported() {
    return compareTo(MINIMUM) >= 0;
  }

  @Override
  public int compareTo(GocryptfsVersion other) {
    int byMajor = Integer.compare(major, other.major);
    return byMajor != 0 ? byMajor : Integer.compare(minor, other.minor);
  }

  @Override
  public String toString() {
    return major + "." + minor;
  }
}
