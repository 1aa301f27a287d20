package org.hpcs.agent.runtime;

import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.regex.Pattern;

/**
 * The only environment variables a container gets. Runtimes clear the inherited environment ({@code
 * --clearenv}, {@code --cleanenv}) and pass exactly these.
 *
 * <p>Values end up on the runtime's command line, which every user can read in {@code
 * /proc/<pid>/cmdline}, so names that usually carry secrets are rejected: anything containing
 * TOKEN, SECRET, PASSWORD, PASSWD, CREDENTIAL or PRIVATE_KEY, and anything starting with VAULT_,
 * BAO_, AGE_ or GOCRYPTFS_.
 */
public final class EnvironmentAllowList {
  private static final Pattern NAME = Pattern.compile("[A-Za-z_][A-Za-z0-9_]*");
  private static final List<String> SECRET_PARTS =
      List.of("TOKEN", "SECRET", "PASSWORD", "PASSWD", "CREDENTIAL", "PRIVATE_KEY");
  private static final List<String> SECRET_PREFIXES =
      List.of("VAULT_", "BAO_", "AGE_", "GOCRYPTFS_");

  private final Map<String, String> variables;

  private EnvironmentAllowList(Map<String, String> variables) {
    this.variables = Collections.unmodifiableMap(new LinkedHashMap<>(variables));
  }

  /** Returns an empty allow-list. */
  public static EnvironmentAllowList empty() {
    return new EnvironmentAllowList(Map.of());
  }

  /**
   * Creates an allow-list from name-value pairs, kept in iteration order.
   *
   * @throws ContainerException if a name is not a valid variable name or looks like a secret, or a
   *     value contains a NUL byte
   */
  public static EnvironmentAllowList of(Map<String, String> variables) throws ContainerException {
    for (Map.Entry<String, String> entry : variables.entrySet()) {
      check(entry.getKey(), entry.getValue());
    }
    return new EnvironmentAllowList(variables);
  }

  /** Returns the variables in order. */
  public Map<String, String> variables() {
    return variables;
  }

  private static void check(String name, String value) throws ContainerException {
    if (name == null || !NAME.matcher(name).matches()) {
      throw new ContainerException(
          "Invalid environment variable name '" + name + "': use letters, digits and '_'");
    }
    if (value == null || value.indexOf('\0') >= 0) {
      throw new ContainerException(
          "Environment variable " + name + " has no value or contains a NUL byte");
    }
    String upper = name.toUpperCase(Locale.ROOT);
    boolean secret =
        SECRET_PARTS.stream().anyMatch(upper::contains)
            || SECRET_PREFIXES.stream().anyMatch(upper::startsWith);
    if (secret) {
      throw new ContainerException(
          "Environment variable "
              + name
              + " looks like a secret and is never passed into a container; remove it from the"
              + " allow-list");
    }
  }

  @Override
  public String toString() {
    return "EnvironmentAllowList" + variables.keySet();
  }
}
