package org.hpcs.server.spire;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;
import org.hpcs.common.api.Json;
import org.hpcs.common.process.CommandException;
import org.hpcs.common.process.CommandOutput;
import org.hpcs.common.process.ExternalCommand;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * {@link SpireAdmin} through the {@code spire-server} command on the server's admin socket, with
 * {@code -output json}. Arguments go to the process as a list, never through a shell. No secret is
 * ever an argument: the join token is read from the command's standard output, which is never
 * logged.
 *
 * <p>NOTE: the SPIRE server gRPC API on the same socket would avoid running a process per call; the
 * command is used because its JSON output is stable and needs no generated protobuf code.
 */
public final class SpireCli implements SpireAdmin {
  private static final Logger LOG = LoggerFactory.getLogger(SpireCli.class);
  private static final Duration TIMEOUT = Duration.ofSeconds(30);
  private static final int GRPC_OK = 0;
  private static final int GRPC_NOT_FOUND = 5;
  private static final int GRPC_ALREADY_EXISTS = 6;

  private final Path binary;
  private final Path socket;
  private final String trustDomain;
  private final ObjectMapper json = Json.lenient();

  /**
   * Creates the client.
   *
   * @param binary the {@code spire-server} executable
   * @param socket the SPIRE server's admin socket
   * @param trustDomain the trust domain, for example {@code hpcs.test}
   */
  public SpireCli(Path binary, Path socket, String trustDomain) {
    this.binary = binary;
    this.socket = socket;
    this.trustDomain = trustDomain;
  }

  /** Returns {@code spiffe://<td>/hpcs/spire-agent/<node>}. */
  public static String aliasId(String trustDomain, String node) {
    return "spiffe://" + trustDomain + "/hpcs/spire-agent/" + node;
  }

  /** Returns {@code spiffe://<td>/hpcs/node/<node>}. */
  public static String nodeId(String trustDomain, String node) {
    return "spiffe://" + trustDomain + "/hpcs/node/" + node;
  }

  @Override
  public SpireJoinToken createJoinToken(String node, Duration ttl) throws SpireException {
    String alias = aliasId(trustDomain, node);
    JsonNode out =
        run("token", "generate", "-spiffeID", alias, "-ttl", Long.toString(ttl.toSeconds()));
    String value = out.path("value").asText("");
    if (value.isEmpty()) {
      throw new SpireException("spire-server token generate for " + alias + " returned no token");
    }
    Instant expiresAt = Instant.ofEpochSecond(out.path("expires_at").asLong(0));
    return new SpireJoinToken(value, expiresAt, alias);
  }

  @Override
  public boolean ensureNodeEntry(String node) throws SpireException {
    String nodeId = nodeId(trustDomain, node);
    String parent = aliasId(trustDomain, node);
    JsonNode shown =
        run("entry", "show", "-spiffeID", nodeId, "-parentID", parent, "-selector", "unix:uid:0");
    if (!shown.path("entries").isEmpty()) {
      return false;
    }
    JsonNode created =
        run("entry", "create", "-spiffeID", nodeId, "-parentID", parent, "-selector", "unix:uid:0");
    int code = created.path("results").path(0).path("status").path("code").asInt(-1);
    if (code != GRPC_OK && code != GRPC_ALREADY_EXISTS) {
      throw new SpireException(
          "spire-server entry create for "
              + nodeId
              + " failed: "
              + created.path("results").path(0).path("status").path("message").asText());
    }
    return code == GRPC_OK;
  }

  @Override
  public int revokeNode(String node) throws SpireException {
    String alias = aliasId(trustDomain, node);
    List<String> entryIds = new ArrayList<>();
    Set<String> agents = new LinkedHashSet<>();
    for (JsonNode entry : run("entry", "show", "-spiffeID", alias).path("entries")) {
      entryIds.add(entry.path("id").asText());
      agents.add(spiffeId(entry.path("parent_id")));
    }
    // Only entries that HPCS created (their parent is the alias) are deleted. An entry that a
    // site made by hand for the same SPIFFE ID stays, because the server denies the node anyway.
    for (JsonNode entry :
        run("entry", "show", "-spiffeID", nodeId(trustDomain, node), "-parentID", alias)
            .path("entries")) {
      entryIds.add(entry.path("id").asText());
    }
    int evicted = 0;
    for (String agent : agents) {
      evicted += evict(agent) ? 1 : 0;
    }
    for (String entryId : entryIds) {
      JsonNode deleted = run("entry", "delete", "-entryID", entryId);
      int code = deleted.path("results").path(0).path("status").path("code").asInt(-1);
      if (code != GRPC_OK && code != GRPC_NOT_FOUND) {
        throw new SpireException(
            "spire-server entry delete " + entryId + " failed with code " + code);
      }
    }
    LOG.info(
        "revoked node {} in SPIRE: {} agents evicted, {} entries deleted",
        node,
        evicted,
        entryIds.size());
    return evicted;
  }

  private boolean evict(String agentId) throws SpireException {
    CommandOutput result = exec(List.of("agent", "evict", "-spiffeID", agentId));
    if (result.exitCode() == 0) {
      return true;
    }
    if (result.stderr().contains("NotFound")) {
      return false;
    }
    throw new SpireException(
        "spire-server agent evict " + agentId + " failed: " + result.stderr().strip());
  }

  @Override
  public String x509BundlePem() throws SpireException {
    CommandOutput result = exec(List.of("bundle", "show", "-format", "pem"));
    if (result.exitCode() != 0) {
      throw new SpireException("spire-server bundle show failed: " + result.stderr().strip());
    }
    return result.stdout();
  }

  private String spiffeId(JsonNode id) {
    return "spiffe://" + id.path("trust_domain").asText() + id.path("path").asText();
  }

  private JsonNode run(String... args) throws SpireException {
    List<String> command = new ArrayList<>(List.of(args));
    command.add("-output");
    command.add("json");
    CommandOutput result = exec(command);
    if (result.exitCode() != 0) {
      throw new SpireException(
          "spire-server "
              + args[0]
              + " "
              + args[1]
              + " failed (exit "
              + result.exitCode()
              + "): "
              + result.stderr().strip());
    }
    try {
      return json.readTree(result.stdout());
    } catch (IOException e) {
      throw new SpireException(
          "spire-server " + args[0] + " " + args[1] + " printed output that is not JSON", e);
    }
  }

  private CommandOutput exec(List<String> args) throws SpireException {
    List<String> command = new ArrayList<>();
    command.add(binary.toString());
    command.add(args.get(0));
    command.add(args.get(1));
    command.add("-socketPath");
    command.add(socket.toString());
    command.addAll(args.subList(2, args.size()));
    try {
      return ExternalCommand.of(command).run(TIMEOUT);
    } catch (CommandException e) {
      throw switch (e.reason()) {
        case START_FAILED ->
            new SpireException(
                "cannot run "
                    + binary
                    + ": "
                    + e.getCause().getMessage()
                    + "; check spire.serverBin",
                e);
        case TIMED_OUT ->
            new SpireException(
                "spire-server " + args.get(0) + " " + args.get(1) + " timed out after " + TIMEOUT,
                e);
        case INPUT_FAILED, OUTPUT_FAILED ->
            new SpireException("cannot talk to spire-server: " + e.getCause().getMessage(), e);
      };
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new SpireException("interrupted while running spire-server", e);
    }
  }
}
