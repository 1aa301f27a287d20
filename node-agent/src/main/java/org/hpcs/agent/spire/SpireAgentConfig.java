package org.hpcs.agent.spire;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * The parts of a spire-agent HCL config the node agent needs, read from the {@code agent} block by
 * parsing the file (a text search for {@code socket_path} would also match {@code
 * admin_socket_path} and comments).
 *
 * @param file the config file
 * @param text the file's text
 * @param socketPath the Workload API socket ({@code agent { socket_path }}), or SPIRE's default
 * @param dataDir the agent's data directory ({@code agent { data_dir }}), if set
 * @param hasJoinToken whether the file itself sets {@code join_token}
 * @param agentBodyOffset offset just inside the {@code agent} block's opening brace
 */
public record SpireAgentConfig(
    Path file,
    String text,
    Path socketPath,
    Optional<Path> dataDir,
    boolean hasJoinToken,
    int agentBodyOffset) {

  /** spire-agent's Workload API socket when the config sets none (SPIRE 1.x). */
  public static final Path DEFAULT_SOCKET = Path.of("/tmp/spire-agent/public/api.sock");

  /**
   * Reads and parses a spire-agent config file.
   *
   * @throws HclException when the file is unreadable, not HCL, or has no single agent block
   */
  public static SpireAgentConfig load(Path file) throws HclException {
    try {
      return parse(file, Files.readString(file, StandardCharsets.UTF_8));
    } catch (IOException e) {
      throw new HclException("cannot read spire-agent config " + file + ": " + e.getMessage());
    }
  }

  /** Parses config text; {@code file} only names the source in messages. */
  public static SpireAgentConfig parse(Path file, String text) throws HclException {
    Hcl.Body root;
    try {
      root = Hcl.parse(text);
    } catch (HclException e) {
      throw new HclException("spire-agent config " + file + ": " + e.getMessage());
    }
    List<Hcl.Block> agents = root.blocks("agent");
    if (agents.size() != 1) {
      throw new HclException(
          "spire-agent config "
              + file
              + " must have exactly one 'agent' block, found "
              + agents.size());
    }
    Map<String, Object> agent = agents.get(0).body().attributes();
    Optional<Path> socket = pathAttribute(file, agent, "socket_path");
    return new SpireAgentConfig(
        file,
        text,
        socket.orElse(DEFAULT_SOCKET),
        pathAttribute(file, agent, "data_dir"),
        agent.containsKey("join_token"),
        agents.get(0).bodyOffset());
  }

  private static Optional<Path> pathAttribute(Path file, Map<String, Object> agent, String key)
      throws HclException {
    Object value = agent.get(key);
    if (value == null) {
      return Optional.empty();
    }
    if (!(value instanceof String s) || s.isEmpty()) {
      throw new HclException(
          "spire-agent config " + file + ": agent." + key + " must be a non-empty string");
    }
    return Optional.of(Path.of(s));
  }

  /**
   * Returns the config text with {@code join_token} set inside the agent block. The result holds a
   * secret: write it only to a 0600 file.
   */
  public String withJoinToken(String token) {
    if (hasJoinToken) {
      throw new IllegalStateException("spire-agent config " + file + " already sets join_token");
    }
    String escaped = token.replace("\\", "\\\\").replace("\"", "\\\"");
    return text.substring(0, agentBodyOffset)
        + "\n    join_token = \""
        + escaped
        + "\"\n"
        + text.substring(agentBodyOffset);
  }
}
