package org.hpcs.agent.config;

import java.io.IOException;
import java.net.URI;
import java.net.URISyntaxException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.ServiceLoader;
import java.util.Set;
import java.util.TreeMap;
import java.util.regex.Pattern;
import org.hpcs.attest.AttestationException;
import org.hpcs.attest.AttestorProvider;

/**
 * Reads the node agent config: lines of {@code key = value}, {@code #} comments and blank lines.
 * The whole file is checked before anything is used, and every unknown, repeated, missing or
 * invalid key is reported in one {@link ConfigException}.
 */
public final class ConfigLoader {
  private static final Pattern NODE = Pattern.compile("[A-Za-z0-9_][A-Za-z0-9._-]{0,63}");
  private static final Pattern NAME = Pattern.compile("[a-z0-9][a-z0-9-]{0,63}");
  private static final Pattern TRUST_DOMAIN = Pattern.compile("[a-z0-9._-]{1,255}");
  private static final Pattern USER = Pattern.compile("[a-z_][a-z0-9_.-]{0,31}");
  private static final String ATTESTOR_PREFIX = "attestor.";
  private static final Set<String> KEYS =
      Set.of(
          "node",
          "socket",
          "socket.allowed-users",
          "socket.io-timeout-seconds",
          "socket.request-timeout-seconds",
          "state-dir",
          "pid-file",
          "slurm.bin-dir",
          "slurm.conf",
          "reaper.interval-seconds",
          "attestation",
          "server.url",
          "server.ca-file",
          "server.spiffe-id",
          "server.timeout-seconds",
          "trust-domain",
          "spire.agent.binary",
          "spire.agent.config",
          "spire.agent.start-timeout-seconds",
          "spire.agent.restart-delay-seconds",
          "spire.sync-interval-seconds",
          "svid.fetch-timeout-seconds",
          "workload-api.socket",
          "runtime",
          "runtime.binary",
          "runtime.require-encrypted-image",
          "workspace.state-dir",
          "workspace.run-dir",
          "launch-dir",
          "vault.ca-file",
          "vault.timeout-seconds");

  private final Map<String, String> values = new LinkedHashMap<>();
  private final List<String> problems = new ArrayList<>();

  private ConfigLoader() {}

  /**
   * Loads and validates a config file.
   *
   * @throws ConfigException listing every problem in the file
   */
  public static AgentConfig load(Path file) throws ConfigException {
    List<String> lines;
    try {
      lines = Files.readAllLines(file, StandardCharsets.UTF_8);
    } catch (IOException e) {
      throw new ConfigException(file, List.of("cannot read the file: " + e.getMessage()));
    }
    return parse(file, lines);
  }

  /** Validates config lines; {@code file} only names the source in messages. */
  public static AgentConfig parse(Path file, List<String> lines) throws ConfigException {
    ConfigLoader loader = new ConfigLoader();
    loader.readLines(lines);
    AgentConfig config = loader.build();
    if (!loader.problems.isEmpty()) {
      throw new ConfigException(file, loader.problems);
    }
    return config;
  }

  private void readLines(List<String> lines) {
    for (int i = 0; i < lines.size(); i++) {
      String line = lines.get(i).strip();
      if (line.isEmpty() || line.startsWith("#")) {
        continue;
      }
      int eq = line.indexOf('=');
      if (eq <= 0) {
        problems.add("line " + (i + 1) + ": expected 'key = value'");
        continue;
      }
      String key = line.substring(0, eq).strip();
      String value = line.substring(eq + 1).strip();
      if (!KEYS.contains(key) && !(key.startsWith(ATTESTOR_PREFIX) && key.length() > 9)) {
        problems.add("line " + (i + 1) + ": unknown key '" + key + "'");
      } else if (values.putIfAbsent(key, value) != null) {
        problems.add("line " + (i + 1) + ": key '" + key + "' is set twice");
      }
    }
  }

  private AgentConfig build() {
    String node = required("node", NODE, "a Slurm node name");
    Path socket = absolutePath("socket", true);
    Path stateDir = absolutePath("state-dir", true);
    String attestation = AgentConfig.DEFAULT_ATTESTATION;
    if (values.containsKey("attestation")) {
      attestation = required("attestation", NAME, "spire-native or an attestor name");
    }
    Optional<AgentConfig.Server> server = server();
    AgentConfig.Spire spire = spire();
    checkCombinations(attestation, server, spire);
    checkAttestor(attestation);
    return new AgentConfig(
        node,
        socket,
        users(),
        seconds("socket.io-timeout-seconds", 5, 1, 60),
        seconds("socket.request-timeout-seconds", 900, 10, 86_400),
        stateDir,
        optionalPath("pid-file"),
        Optional.ofNullable(absolutePath("slurm.bin-dir", false)).orElse(Path.of("/usr/bin")),
        optionalPath("slurm.conf"),
        seconds("reaper.interval-seconds", 60, 5, 3600),
        attestation == null ? AgentConfig.DEFAULT_ATTESTATION : attestation,
        attestorConfig(),
        server,
        spire,
        jobs(node, stateDir));
  }

  private AgentConfig.Jobs jobs(String node, Path stateDir) {
    String runtime = values.getOrDefault("runtime", AgentConfig.Jobs.APPTAINER);
    if (!runtime.equals(AgentConfig.Jobs.APPTAINER) && !runtime.equals(AgentConfig.Jobs.BWRAP)) {
      problems.add("key 'runtime': '" + runtime + "' is not apptainer or bwrap");
    }
    Path binary =
        Optional.ofNullable(absolutePath("runtime.binary", false))
            .orElse(Path.of("/usr/bin").resolve(runtime));
    String encrypted = values.getOrDefault("runtime.require-encrypted-image", "false");
    if (!encrypted.equals("true") && !encrypted.equals("false")) {
      problems.add(
          "key 'runtime.require-encrypted-image': '" + encrypted + "' is not true or false");
    }
    if (encrypted.equals("true") && !runtime.equals(AgentConfig.Jobs.APPTAINER)) {
      problems.add("key 'runtime.require-encrypted-image' needs runtime = apptainer");
    }
    String name = node == null ? "node" : node;
    Path base = stateDir == null ? Path.of("/var/lib/hpcs", name) : stateDir;
    Path workspaceState =
        Optional.ofNullable(absolutePath("workspace.state-dir", false))
            .orElse(base.resolve("workspaces"));
    Path workspaceRun =
        Optional.ofNullable(absolutePath("workspace.run-dir", false))
            .orElse(Path.of("/run/hpcs/jobs", name));
    Path launchDir =
        Optional.ofNullable(absolutePath("launch-dir", false))
            .orElse(Path.of("/run/hpcs/launch", name));
    if (workspaceRun.startsWith(workspaceState) || workspaceState.startsWith(workspaceRun)) {
      problems.add(
          "keys 'workspace.state-dir' and 'workspace.run-dir' must not contain each other");
    }
    return new AgentConfig.Jobs(
        runtime,
        binary,
        encrypted.equals("true"),
        workspaceState,
        workspaceRun,
        launchDir,
        readableFile("vault.ca-file"),
        seconds("vault.timeout-seconds", 10, 1, 120));
  }

  private Optional<AgentConfig.Server> server() {
    String url = values.get("server.url");
    Duration timeout = seconds("server.timeout-seconds", 10, 1, 120);
    Optional<Path> caFile = readableFile("server.ca-file");
    if (url == null) {
      for (String key : List.of("server.ca-file", "server.spiffe-id", "server.timeout-seconds")) {
        if (values.containsKey(key)) {
          problems.add("key '" + key + "' needs server.url");
        }
      }
      return Optional.empty();
    }
    URI uri;
    try {
      uri = new URI(url);
    } catch (URISyntaxException e) {
      problems.add("key 'server.url': '" + url + "' is not a URL: " + e.getReason());
      return Optional.empty();
    }
    if (!"https".equals(uri.getScheme()) || uri.getHost() == null) {
      problems.add("key 'server.url': '" + url + "' must be an https URL with a host");
    }
    String trustDomain = values.getOrDefault("trust-domain", "");
    String spiffeId =
        values.getOrDefault("server.spiffe-id", "spiffe://" + trustDomain + "/hpcs/server");
    if (!spiffeId.startsWith("spiffe://")) {
      problems.add("key 'server.spiffe-id': '" + spiffeId + "' is not a spiffe:// ID");
    }
    return Optional.of(new AgentConfig.Server(uri, caFile, spiffeId, timeout));
  }

  private AgentConfig.Spire spire() {
    String trustDomain = values.get("trust-domain");
    if (trustDomain != null && !TRUST_DOMAIN.matcher(trustDomain).matches()) {
      problems.add("key 'trust-domain': '" + trustDomain + "' is not a trust domain name");
    }
    Optional<Path> binary = optionalPath("spire.agent.binary");
    if (binary.isPresent() && !Files.isExecutable(binary.get())) {
      problems.add("key 'spire.agent.binary': " + binary.get() + " is not an executable file");
    }
    Optional<Path> agentConfig = readableFile("spire.agent.config");
    Optional<Path> workloadSocket = workloadSocket();
    Duration sync = seconds("spire.sync-interval-seconds", 5, 1, 600);
    Duration fetch = seconds("svid.fetch-timeout-seconds", 30, 1, 3600);
    if (fetch.compareTo(sync.multipliedBy(2)) < 0) {
      problems.add(
          "key 'svid.fetch-timeout-seconds': "
              + fetch.toSeconds()
              + " s is shorter than two SPIRE agent sync intervals ("
              + sync.multipliedBy(2).toSeconds()
              + " s); a fresh registration entry may take that long to reach the agent");
    }
    return new AgentConfig.Spire(
        Optional.ofNullable(trustDomain),
        binary,
        agentConfig,
        workloadSocket,
        seconds("spire.agent.start-timeout-seconds", 30, 1, 600),
        seconds("spire.agent.restart-delay-seconds", 5, 1, 600),
        sync,
        fetch);
  }

  private Optional<Path> workloadSocket() {
    String value = values.get("workload-api.socket");
    if (value == null) {
      return Optional.empty();
    }
    String path = value.startsWith("unix:") ? value.substring(5) : value;
    if (path.startsWith("//")) {
      path = path.substring(2);
    }
    if (!path.startsWith("/")) {
      problems.add("key 'workload-api.socket': '" + value + "' is not an absolute socket path");
      return Optional.empty();
    }
    return Optional.of(Path.of(path));
  }

  private void checkCombinations(
      String attestation, Optional<AgentConfig.Server> server, AgentConfig.Spire spire) {
    boolean enrols = attestation != null && !attestation.equals(AgentConfig.SPIRE_NATIVE);
    if (enrols && server.isEmpty()) {
      problems.add(
          "attestation '" + attestation + "' needs server.url (enrolment is a server call)");
    }
    if (enrols && server.isPresent() && server.get().caFile().isEmpty()) {
      problems.add(
          "attestation '"
              + attestation
              + "' needs server.ca-file to check the server before enrolment");
    }
    if (enrols && spire.agentBinary().isEmpty()) {
      problems.add(
          "attestation '"
              + attestation
              + "' needs spire.agent.binary: the node agent starts spire-agent with the join"
              + " token the server issues");
    }
    if (spire.agentBinary().isPresent() && spire.agentConfig().isEmpty()) {
      problems.add("key 'spire.agent.binary' needs spire.agent.config");
    }
    if (server.isPresent() && spire.trustDomain().isEmpty()) {
      problems.add("key 'server.url' needs trust-domain (the node's SPIFFE ID is in it)");
    }
    if (!enrols) {
      for (String key : values.keySet()) {
        if (key.startsWith(ATTESTOR_PREFIX)) {
          problems.add("key '" + key + "' is set, but attestation is spire-native");
        }
      }
    }
  }

  /**
   * Checks that the attestor is installed and lets its plugin validate the {@code attestor.*}
   * settings, so that a bad value is reported when the config is loaded, not at enrolment.
   */
  private void checkAttestor(String attestation) {
    if (attestation == null || attestation.equals(AgentConfig.SPIRE_NATIVE)) {
      return;
    }
    List<String> installed = new ArrayList<>();
    for (AttestorProvider provider : ServiceLoader.load(AttestorProvider.class)) {
      installed.add(provider.name());
      if (provider.name().equals(attestation)) {
        try {
          provider.nodeAttestor(attestorConfig());
        } catch (AttestationException e) {
          problems.add("attestor settings (keys 'attestor.*'): " + e.getMessage());
        }
        return;
      }
    }
    problems.add(
        "key 'attestation': '"
            + attestation
            + "' is not an installed attestor; set "
            + AgentConfig.SPIRE_NATIVE
            + " or one of "
            + installed.stream().sorted().toList());
  }

  private Set<String> users() {
    String value = values.getOrDefault("socket.allowed-users", "root,slurm");
    Set<String> users = new LinkedHashSet<>();
    for (String user : value.split(",", -1)) {
      String name = user.strip();
      if (!USER.matcher(name).matches()) {
        problems.add("key 'socket.allowed-users': '" + name + "' is not a user name");
      }
      users.add(name);
    }
    return users;
  }

  private Map<String, String> attestorConfig() {
    Map<String, String> config = new TreeMap<>();
    values.forEach(
        (key, value) -> {
          if (key.startsWith(ATTESTOR_PREFIX)) {
            config.put(key.substring(ATTESTOR_PREFIX.length()), value);
          }
        });
    return config;
  }

  private String required(String key, Pattern pattern, String expected) {
    String value = values.get(key);
    if (value == null || value.isEmpty()) {
      problems.add("missing key '" + key + "' (" + expected + ")");
      return null;
    }
    if (!pattern.matcher(value).matches()) {
      problems.add("key '" + key + "': '" + value + "' is not " + expected);
    }
    return value;
  }

  private Path absolutePath(String key, boolean required) {
    String value = values.get(key);
    if (value == null || value.isEmpty()) {
      if (required) {
        problems.add("missing key '" + key + "' (an absolute path)");
      }
      return null;
    }
    if (!value.startsWith("/")) {
      problems.add("key '" + key + "': '" + value + "' is not an absolute path");
      return null;
    }
    return Path.of(value);
  }

  private Optional<Path> optionalPath(String key) {
    return Optional.ofNullable(absolutePath(key, false));
  }

  private Optional<Path> readableFile(String key) {
    Optional<Path> path = optionalPath(key);
    if (path.isPresent() && !Files.isReadable(path.get())) {
      problems.add("key '" + key + "': " + path.get() + " is not a readable file");
    }
    return path;
  }

  private Duration seconds(String key, long fallback, long min, long max) {
    String value = values.get(key);
    if (value == null) {
      return Duration.ofSeconds(fallback);
    }
    try {
      long seconds = Long.parseLong(value);
      if (seconds >= min && seconds <= max) {
        return Duration.ofSeconds(seconds);
      }
    } catch (NumberFormatException e) {
      // reported below
    }
    problems.add(
        "key '"
            + key
            + "': '"
            + value
            + "' is not a whole number of seconds from "
            + min
            + " to "
            + max);
    return Duration.ofSeconds(fallback);
  }

  /** Returns every key the loader accepts, attestor keys aside, in alphabetical order. */
  public static List<String> knownKeys() {
    String[] keys = KEYS.toArray(String[]::new);
    Arrays.sort(keys);
    return List.of(keys);
  }
}
