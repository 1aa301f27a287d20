package org.hpcs.server.config;

import java.io.IOException;
import java.io.Reader;
import java.net.URI;
import java.net.URISyntaxException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.ServiceLoader;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;
import java.util.function.Function;
import java.util.regex.Pattern;
import org.hpcs.attest.AttestorProvider;
import org.hpcs.common.config.KeyRecordingProperties;

/**
 * Reads the server's Java properties file and validates it as a whole: every missing, unknown or
 * bad key is reported at once. Keys (defaults in brackets):
 *
 * <pre>
 * listen.host [127.0.0.1]   listen.port [8443]   listen.threads [16]   listen.maxBodyBytes [65536]
 * tls.certFile, tls.keyFile               PEM chain and PKCS#8 key of the server
 * trustDomain                             SPIFFE trust domain, e.g. hpcs.test
 * db.url [jdbc:sqlite:/var/lib/hpcs/server.db]   db.user   db.passwordFile   db.poolSize [8]
 * vault.addr   vault.caFile   vault.tokenFile   vault.kvMount [kv-hpcs]   vault.jwtMount [jwt]
 * vault.jwtAudience [hpcs-vault]   vault.adminPolicy [hpcs-admin]
 * vault.userLoginPaths [auth/userpass/login/]  comma-separated token path prefixes of user logins
 * spire.serverBin [spire-server]   spire.socketPath   spire.joinTokenTtlSeconds [600]
 * spire.bundleRefreshSeconds [60]
 * enrol.attestors [join-token]   attestor.NAME.KEY (settings of attestor NAME)
 * enrol.challengeTtlSeconds [120]   enrol.maxJoinTokenTtlSeconds [86400]
 * jobs.maxTimeSeconds [604800]   jobs.sweepIntervalSeconds [60]
 * slurm.verifyJobs [true]   slurm.scontrol [scontrol]   slurm.conf (SLURM_CONF for scontrol)
 * </pre>
 */
public final class ConfigLoader {
  private static final Pattern TRUST_DOMAIN = Pattern.compile("[a-z0-9._-]{1,255}");
  private static final Pattern MOUNT = Pattern.compile("[A-Za-z0-9_-]+(/[A-Za-z0-9_-]+)*");
  private static final Pattern LOGIN_PATH =
      Pattern.compile("auth/[A-Za-z0-9_-]+(/[A-Za-z0-9_-]+)*/login/");
  private static final Set<String> KEYS =
      Set.of(
          "listen.host",
          "listen.port",
          "listen.threads",
          "listen.maxBodyBytes",
          "tls.certFile",
          "tls.keyFile",
          "trustDomain",
          "db.url",
          "db.user",
          "db.passwordFile",
          "db.poolSize",
          "vault.addr",
          "vault.caFile",
          "vault.tokenFile",
          "vault.kvMount",
          "vault.jwtMount",
          "vault.jwtAudience",
          "vault.adminPolicy",
          "vault.userLoginPaths",
          "spire.serverBin",
          "spire.socketPath",
          "spire.joinTokenTtlSeconds",
          "spire.bundleRefreshSeconds",
          "enrol.attestors",
          "enrol.challengeTtlSeconds",
          "enrol.maxJoinTokenTtlSeconds",
          "jobs.maxTimeSeconds",
          "jobs.sweepIntervalSeconds",
          "slurm.verifyJobs",
          "slurm.scontrol",
          "slurm.conf");

  private final Map<String, String> values;
  private final List<String> problems = new ArrayList<>();

  private ConfigLoader(Map<String, String> values) {
    this.values = values;
  }

  /**
   * Loads and validates the file.
   *
   * @throws ConfigException listing every problem when the file is unreadable or invalid
   */
  public static ServerConfig load(Path file) throws ConfigException {
    KeyRecordingProperties properties = new KeyRecordingProperties();
    try (Reader reader = Files.newBufferedReader(file, StandardCharsets.UTF_8)) {
      properties.load(reader);
    } catch (IOException e) {
      throw new ConfigException(file.toString(), List.of("cannot read the file: " + e));
    }
    Map<String, String> values = new TreeMap<>();
    properties.stringPropertyNames().forEach(k -> values.put(k, properties.getProperty(k).strip()));
    List<String> problems = new ArrayList<>();
    for (String key : properties.repeatedKeys()) {
      problems.add(key + ": set more than once; keep one line for it");
    }
    try {
      ServerConfig config = parse(file.toString(), values);
      if (!problems.isEmpty()) {
        throw new ConfigException(file.toString(), problems);
      }
      return config;
    } catch (ConfigException e) {
      if (problems.isEmpty()) {
        throw e;
      }
      for (String problem : e.problems()) {
        if (!problems.contains(problem)) {
          problems.add(problem);
        }
      }
      throw new ConfigException(file.toString(), problems);
    }
  }

  /**
   * Validates key-value pairs.
   *
   * @throws ConfigException listing every problem
   */
  public static ServerConfig parse(String source, Map<String, String> values)
      throws ConfigException {
    ConfigLoader loader = new ConfigLoader(values);
    ServerConfig config = loader.build();
    if (!loader.problems.isEmpty()) {
      throw new ConfigException(source, loader.problems);
    }
    return config;
  }

  private ServerConfig build() {
    rejectUnknownKeys();
    return new ServerConfig(
        checked("listen.host", text("listen.host", "127.0.0.1"), ValueChecks::host),
        integer("listen.port", 8443, 0, 65535),
        integer("listen.threads", 16, 1, 1024),
        integer("listen.maxBodyBytes", 65536, 1024, 16 * 1024 * 1024),
        checkedFile("tls.certFile", ValueChecks::certificates),
        checkedFile("tls.keyFile", ValueChecks::privateKey),
        matching("trustDomain", null, TRUST_DOMAIN, "a lower-case DNS-like name such as hpcs.test"),
        jdbcUrl(),
        optional("db.user"),
        optionalPrivateFile("db.passwordFile"),
        integer("db.poolSize", 8, 1, 256),
        checked("vault.addr", uri("vault.addr"), ValueChecks::baseAddress),
        optionalFile("vault.caFile"),
        checkedFile("vault.tokenFile", ValueChecks::privateFile),
        matching("vault.kvMount", "kv-hpcs", MOUNT, "one or more path segments like kv-hpcs"),
        matching("vault.jwtMount", "jwt", MOUNT, "one or more path segments like jwt"),
        text("vault.jwtAudience", "hpcs-vault"),
        text("vault.adminPolicy", "hpcs-admin"),
        loginPaths(),
        executable("spire.serverBin", "spire-server"),
        absolutePath("spire.socketPath"),
        seconds("spire.joinTokenTtlSeconds", 600, 30, 86400),
        seconds("spire.bundleRefreshSeconds", 60, 5, 86400),
        attestors(),
        seconds("enrol.challengeTtlSeconds", 120, 10, 3600),
        seconds("enrol.maxJoinTokenTtlSeconds", 86400, 60, 30 * 86400),
        seconds("jobs.maxTimeSeconds", 604800, 60, 365 * 86400),
        seconds("jobs.sweepIntervalSeconds", 60, 1, 3600),
        bool("slurm.verifyJobs", true),
        executable("slurm.scontrol", "scontrol"),
        optionalFile("slurm.conf"));
  }

  private void rejectUnknownKeys() {
    Set<String> unknown = new TreeSet<>(values.keySet());
    unknown.removeAll(KEYS);
    unknown.removeIf(k -> k.startsWith("attestor."));
    for (String key : unknown) {
      problems.add(key + ": unknown key; check its spelling against the documented keys");
    }
  }

  private String optional(String key) {
    String value = values.get(key);
    return value == null || value.isEmpty() ? null : value;
  }

  private String text(String key, String fallback) {
    String value = optional(key);
    if (value != null) {
      return value;
    }
    if (fallback == null) {
      problems.add(key + ": missing");
    }
    return fallback;
  }

  private String matching(String key, String fallback, Pattern pattern, String expected) {
    String value = text(key, fallback);
    if (value != null && !pattern.matcher(value).matches()) {
      problems.add(key + ": '" + value + "' is invalid; expected " + expected);
    }
    return value;
  }

  private int integer(String key, int fallback, int min, int max) {
    String value = optional(key);
    if (value == null) {
      return fallback;
    }
    try {
      int parsed = Integer.parseInt(value);
      if (parsed < min || parsed > max) {
        problems.add(key + ": " + parsed + " is out of range " + min + ".." + max);
      }
      return parsed;
    } catch (NumberFormatException e) {
      problems.add(key + ": '" + value + "' is not an integer");
      return fallback;
    }
  }

  private boolean bool(String key, boolean fallback) {
    String value = optional(key);
    if (value == null) {
      return fallback;
    }
    if (!value.equals("true") && !value.equals("false")) {
      problems.add(key + ": '" + value + "' must be true or false");
      return fallback;
    }
    return Boolean.parseBoolean(value);
  }

  private Duration seconds(String key, int fallback, int min, int max) {
    return Duration.ofSeconds(integer(key, fallback, min, max));
  }

  private Path path(String key) {
    String value = text(key, null);
    return value == null ? null : Path.of(value);
  }

  private Path existingFile(String key) {
    Path file = path(key);
    if (file != null && !Files.isReadable(file)) {
      problems.add(key + ": file " + file + " does not exist or is not readable");
    }
    return file;
  }

  /** Adds the check's problem, if any, for a value that was parsed; null skips the check. */
  private <T> T checked(String key, T value, Function<T, Optional<String>> check) {
    if (value != null) {
      check.apply(value).ifPresent(problem -> problems.add(key + ": " + problem));
    }
    return value;
  }

  /** Returns a required file after checking its content, when it is readable at all. */
  private Path checkedFile(String key, Function<Path, Optional<String>> check) {
    int before = problems.size();
    Path file = existingFile(key);
    return problems.size() == before ? checked(key, file, check) : file;
  }

  /** Returns a program: a bare name is looked up on PATH when run, a path must be executable. */
  private Path executable(String key, String fallback) {
    Path program = Path.of(text(key, fallback));
    if (program.getNameCount() > 1 && !Files.isExecutable(program)) {
      problems.add(key + ": " + program + " is not an executable file; give the program's path");
    }
    return program;
  }

  private Path absolutePath(String key) {
    Path file = path(key);
    if (file != null && !file.isAbsolute()) {
      problems.add(key + ": '" + file + "' is a relative path; give the absolute path");
    }
    return file;
  }

  private Path optionalPrivateFile(String key) {
    int before = problems.size();
    Path file = optionalFile(key);
    return problems.size() == before ? checked(key, file, ValueChecks::privateFile) : file;
  }

  private Path optionalFile(String key) {
    String value = optional(key);
    if (value == null) {
      return null;
    }
    Path file = Path.of(value);
    if (!Files.isReadable(file)) {
      problems.add(key + ": file " + file + " does not exist or is not readable");
    }
    return file;
  }

  private URI uri(String key) {
    String value = text(key, null);
    if (value == null) {
      return null;
    }
    try {
      URI uri = new URI(value);
      if (!"http".equals(uri.getScheme()) && !"https".equals(uri.getScheme())) {
        problems.add(key + ": '" + value + "' must start with http:// or https://");
      }
      return uri;
    } catch (URISyntaxException e) {
      problems.add(key + ": '" + value + "' is not a URI");
      return null;
    }
  }

  private String jdbcUrl() {
    String url = text("db.url", "jdbc:sqlite:/var/lib/hpcs/server.db");
    if (url.startsWith("jdbc:sqlite:")) {
      // Only a set value is checked, so a minimal file parses on a machine without the default
      // directory. A missing default directory fails at start-up with an error naming the URL.
      checked("db.url", optional("db.url"), ValueChecks::sqliteDirectory);
    } else if (!url.startsWith("jdbc:postgresql:")) {
      problems.add(
          "db.url: '"
              + url
              + "' is unsupported; use jdbc:sqlite:<file> or"
              + " jdbc:postgresql://<host>:<port>/<db>");
    }
    return url;
  }

  private List<String> loginPaths() {
    List<String> paths = new ArrayList<>();
    for (String path : text("vault.userLoginPaths", "auth/userpass/login/").split(",", -1)) {
      String trimmed = path.strip();
      // A shorter prefix such as auth/ would also match auth/token/create, whose child tokens
      // carry whatever username their creator wrote into them.
      if (!LOGIN_PATH.matcher(trimmed).matches() || trimmed.startsWith("auth/token/")) {
        problems.add(
            "vault.userLoginPaths: '"
                + trimmed
                + "' must look like auth/<mount>/login/ for a login method such as userpass");
      } else {
        paths.add(trimmed);
      }
    }
    return paths;
  }

  private Map<String, Map<String, String>> attestors() {
    Map<String, Map<String, String>> attestors = new LinkedHashMap<>();
    for (String name : text("enrol.attestors", "join-token").split(",", -1)) {
      if (!name.isBlank()) {
        attestors.put(name.strip(), new TreeMap<>());
      }
    }
    if (attestors.isEmpty()) {
      problems.add("enrol.attestors: empty; name at least one attestor such as join-token");
    }
    Set<String> installed = new TreeSet<>();
    ServiceLoader.load(AttestorProvider.class).forEach(provider -> installed.add(provider.name()));
    for (String name : attestors.keySet()) {
      if (!installed.contains(name)) {
        problems.add(
            "enrol.attestors: attestor '" + name + "' is not installed; installed: " + installed);
      }
    }
    for (Map.Entry<String, String> entry : values.entrySet()) {
      if (!entry.getKey().startsWith("attestor.")) {
        continue;
      }
      String rest = entry.getKey().substring("attestor.".length());
      int dot = rest.indexOf('.');
      String name = dot < 0 ? rest : rest.substring(0, dot);
      Map<String, String> settings = attestors.get(name);
      if (dot < 0 || settings == null) {
        problems.add(
            entry.getKey()
                + ": no enabled attestor '"
                + name
                + "'; add it to"
                + " enrol.attestors or remove the key");
      } else {
        settings.put(rest.substring(dot + 1), entry.getValue());
      }
    }
    return attestors;
  }
}
