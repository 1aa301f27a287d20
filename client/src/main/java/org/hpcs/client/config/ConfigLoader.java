package org.hpcs.client.config;

import java.io.IOException;
import java.io.Reader;
import java.net.URI;
import java.net.URISyntaxException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Properties;
import java.util.Set;
import java.util.TreeSet;
import org.hpcs.client.HpcsException;
import org.hpcs.common.config.KeyRecordingProperties;
import org.hpcs.common.crypto.AgeRecipient;
import org.hpcs.common.crypto.InvalidAgeKeyException;

/**
 * Loads the client configuration ({@code config.properties}) and validates it as a whole: every
 * unknown key and every bad value is reported in one error.
 */
public final class ConfigLoader {
  /** Environment variable that overrides the configuration file path. */
  public static final String ENV_CONFIG = "HPCS_CONFIG";

  private static final Set<String> KEYS =
      Set.of(
          "server.url",
          "server.ca-file",
          "vault.url",
          "vault.auth",
          "vault.auth.mount",
          "vault.jwt.role",
          "vault.username",
          "vault.kv.mount",
          "ssh.host",
          "ssh.port",
          "ssh.user",
          "ssh.key",
          "ssh.known-hosts",
          "ssh.remote-dir",
          "recipients.output",
          "keys.dir",
          "token.file");

  private static final Set<String> AUTH_METHODS = Set.of("userpass", "jwt", "token");

  private ConfigLoader() {}

  /** Returns the configuration directory: $XDG_CONFIG_HOME/hpcs or ~/.config/hpcs. */
  public static Path configDir(Map<String, String> env) {
    String xdg = env.get("XDG_CONFIG_HOME");
    Path base =
        xdg != null && !xdg.isBlank()
            ? Path.of(xdg)
            : Path.of(System.getProperty("user.home"), ".config");
    return base.resolve("hpcs");
  }

  /** Returns the file to read: the option, then $HPCS_CONFIG, then the default path. */
  public static Path resolvePath(Path option, Map<String, String> env) {
    if (option != null) {
      return option;
    }
    String fromEnv = env.get(ENV_CONFIG);
    if (fromEnv != null && !fromEnv.isBlank()) {
      return Path.of(fromEnv);
    }
    return configDir(env).resolve("config.properties");
  }

  /**
   * Loads the file. A missing default file gives an empty configuration; a missing file named by
   * the option or the environment is an error.
   *
   * @throws HpcsException listing every unknown key and bad value
   */
  public static ClientConfig load(Path option, Map<String, String> env) throws HpcsException {
    Path file = resolvePath(option, env);
    boolean explicit = option != null || env.containsKey(ENV_CONFIG);
    KeyRecordingProperties properties = new KeyRecordingProperties();
    try (Reader reader = Files.newBufferedReader(file, StandardCharsets.UTF_8)) {
      properties.load(reader);
    } catch (NoSuchFileException e) {
      if (explicit) {
        throw new HpcsException(
            "configuration file %s not found".formatted(file),
            "create it (see docs/client.md) or fix --config / " + ENV_CONFIG);
      }
    } catch (IOException | IllegalArgumentException e) {
      throw new HpcsException(
          "cannot read configuration file %s: %s".formatted(file, e.getMessage()), e);
    }
    return parse(file, properties, env);
  }

  static ClientConfig parse(Path file, Properties p, Map<String, String> env) throws HpcsException {
    List<String> problems = new ArrayList<>();
    if (p instanceof KeyRecordingProperties recording) {
      for (String key : recording.repeatedKeys()) {
        problems.add("key \"" + key + "\" is set more than once; keep one line for it");
      }
    }
    for (String key : new TreeSet<>(p.stringPropertyNames())) {
      if (!KEYS.contains(key)) {
        problems.add("unknown key \"" + key + "\"");
      }
    }
    Path dir = configDir(env);
    String auth = p.getProperty("vault.auth", "userpass").strip();
    if (!AUTH_METHODS.contains(auth)) {
      problems.add("vault.auth \"" + auth + "\" must be one of userpass, jwt, token");
    }
    ClientConfig config =
        new ClientConfig(
            file,
            url(p, "server.url", problems),
            path(p, "server.ca-file", null, problems),
            url(p, "vault.url", problems),
            auth,
            p.getProperty("vault.auth.mount", auth.equals("jwt") ? "jwt" : "userpass").strip(),
            text(p, "vault.jwt.role"),
            text(p, "vault.username"),
            mount(p, problems),
            text(p, "ssh.host"),
            port(p, problems),
            text(p, "ssh.user"),
            path(p, "ssh.key", null, problems),
            path(p, "ssh.known-hosts", null, problems),
            p.getProperty("ssh.remote-dir", "hpcs-bundles").strip(),
            recipients(p, problems),
            path(p, "keys.dir", dir.resolve("keys"), problems).orElseThrow(),
            path(p, "token.file", dir.resolve("vault-token"), problems).orElseThrow());
    if (config.serverUrl().filter(url -> !"https".equals(url.getScheme())).isPresent()) {
      problems.add(
          "server.url \"%s\" must be an https:// URL, because hpcs sends your Vault token to it"
              .formatted(config.serverUrl().get()));
    }
    if (!problems.isEmpty()) {
      throw new HpcsException(
          "configuration file %s is invalid: %s".formatted(file, String.join("; ", problems)),
          "valid keys: " + String.join(", ", new TreeSet<>(KEYS)));
    }
    return config;
  }

  /**
   * Fails with one message naming every missing setting.
   *
   * @param settings pairs of (key, present) in the order to report
   */
  public static void require(ClientConfig config, String command, Object... settings)
      throws HpcsException {
    List<String> missing = new ArrayList<>();
    for (int i = 0; i < settings.length; i += 2) {
      Object value = settings[i + 1];
      boolean present = value instanceof Optional<?> o ? o.isPresent() : value != null;
      if (!present) {
        missing.add((String) settings[i]);
      }
    }
    if (!missing.isEmpty()) {
      throw new HpcsException(
          "%s needs %s in %s".formatted(command, String.join(", ", missing), config.file()),
          "add the missing keys; docs/client.md describes each key with an example");
    }
  }

  private static Optional<String> text(Properties p, String key) {
    String value = p.getProperty(key);
    return value == null || value.isBlank() ? Optional.empty() : Optional.of(value.strip());
  }

  private static Optional<URI> url(Properties p, String key, List<String> problems) {
    Optional<String> value = text(p, key);
    if (value.isEmpty()) {
      return Optional.empty();
    }
    try {
      URI uri = new URI(value.get());
      boolean web = "http".equals(uri.getScheme()) || "https".equals(uri.getScheme());
      if (!web || uri.getHost() == null) {
        problems.add(key + " \"" + value.get() + "\" must be an http:// or https:// URL");
        return Optional.empty();
      }
      return Optional.of(uri);
    } catch (URISyntaxException e) {
      problems.add(key + " \"" + value.get() + "\" is not a URL");
      return Optional.empty();
    }
  }

  private static int port(Properties p, List<String> problems) {
    String value = p.getProperty("ssh.port", "22").strip();
    try {
      int port = Integer.parseInt(value);
      if (port >= 1 && port <= 65535) {
        return port;
      }
    } catch (NumberFormatException e) {
      // Reported below with the other problems.
    }
    problems.add("ssh.port \"" + value + "\" must be a number from 1 to 65535");
    return 22;
  }

  private static String mount(Properties p, List<String> problems) {
    String value = p.getProperty("vault.kv.mount", "kv-hpcs").strip();
    String trimmed = value.replaceAll("^/+|/+$", "");
    if (!trimmed.matches("[A-Za-z0-9._-]+(/[A-Za-z0-9._-]+)*")) {
      problems.add("vault.kv.mount \"" + value + "\" must be a mount path such as kv-hpcs");
    }
    return trimmed;
  }

  private static Optional<Path> path(
      Properties p, String key, Path fallback, List<String> problems) {
    Optional<String> value = text(p, key);
    if (value.isEmpty()) {
      return Optional.ofNullable(fallback);
    }
    String expanded = value.get().replaceFirst("^~(?=/|$)", System.getProperty("user.home"));
    Path path = Path.of(expanded);
    if (!path.isAbsolute()) {
      problems.add(key + " \"" + value.get() + "\" must be an absolute path or start with ~/");
    }
    return Optional.of(path);
  }

  private static List<String> recipients(Properties p, List<String> problems) {
    List<String> values =
        text(p, "recipients.output")
            .map(v -> Arrays.stream(v.split(",", -1)).map(String::strip).toList())
            .orElse(List.of());
    for (String value : values) {
      try {
        AgeRecipient.parse(value);
      } catch (InvalidAgeKeyException e) {
        problems.add("recipients.output: " + e.getMessage());
      }
    }
    return values;
  }
}
