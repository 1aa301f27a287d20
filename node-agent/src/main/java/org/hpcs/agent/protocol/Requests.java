package org.hpcs.agent.protocol;

import java.util.Base64;
import java.util.Optional;
import java.util.Set;
import java.util.TreeSet;
import java.util.regex.Pattern;

/** Turns a decoded message into a typed {@link Request}, checking every field. */
public final class Requests {
  /** Largest manifest in bytes, after base64 decoding. */
  public static final int MAX_MANIFEST = 64 * 1024;

  /** Longest path in the {@code script} field, as Linux's PATH_MAX. */
  public static final int MAX_PATH = 4096;

  private static final long MAX_U32 = 0xffff_ffffL;
  private static final Pattern NODE = Pattern.compile("[A-Za-z0-9_][A-Za-z0-9._-]{0,63}");
  private static final Set<String> JOB_START_KEYS =
      Set.of("v", "op", "job", "node", "uid", "manifest");
  private static final Set<String> STEP_START_KEYS =
      Set.of(
          "v",
          "op",
          "job",
          "step",
          "node",
          "uid",
          "gid",
          "nnodes",
          "nodeid",
          "tasks",
          "partition",
          "nodelist",
          "source",
          "manifest",
          "manifest_data",
          "script");
  private static final Set<String> STEP_END_KEYS = Set.of("v", "op", "job", "step", "node");
  private static final Set<String> JOB_END_KEYS = Set.of("v", "op", "job", "node", "uid");

  private Requests() {}

  /**
   * Parses a request.
   *
   * @throws ProtocolException naming the missing, unknown or invalid field
   */
  public static Request parse(WireMessage message) throws ProtocolException {
    String op = required(message, "op");
    return switch (op) {
      case "job_start" -> {
        checkKeys(message, op, JOB_START_KEYS);
        yield new Request.JobStart(
            jobId(message), node(message), optionalU32(message, "uid"), path(message));
      }
      case "step_start" -> {
        checkKeys(message, op, STEP_START_KEYS);
        yield new Request.StepStart(
            jobId(message),
            u32(message, "step"),
            node(message),
            u32(message, "uid"),
            u32(message, "gid"),
            details(message));
      }
      case "step_end" -> {
        checkKeys(message, op, STEP_END_KEYS);
        yield new Request.StepEnd(jobId(message), u32(message, "step"), node(message));
      }
      case "job_end" -> {
        checkKeys(message, op, JOB_END_KEYS);
        yield new Request.JobEnd(jobId(message), node(message));
      }
      default -> throw new ProtocolException("unknown operation '" + op + "'");
    };
  }

  private static StepDetails details(WireMessage m) throws ProtocolException {
    String source = m.get("source").orElse("--hpcs-secure");
    if (!source.equals("--hpcs-secure") && !source.equals("HPCS_SECURE")) {
      throw new ProtocolException(
          "field 'source' is '" + source + "', expected --hpcs-secure or HPCS_SECURE");
    }
    return new StepDetails(
        optionalU32(m, "nnodes"),
        optionalU32(m, "nodeid"),
        optionalU32(m, "tasks"),
        m.get("partition"),
        m.get("nodelist"),
        source,
        path(m).orElse(""),
        manifest(m),
        script(m));
  }

  private static Optional<String> script(WireMessage m) throws ProtocolException {
    Optional<String> script = m.get("script");
    if (script.isPresent() && (script.get().length() > MAX_PATH || !script.get().startsWith("/"))) {
      throw new ProtocolException(
          "field 'script' is not an absolute path of at most " + MAX_PATH + " characters");
    }
    return script;
  }

  private static ManifestData manifest(WireMessage m) throws ProtocolException {
    Optional<String> data = m.get("manifest_data");
    if (data.isEmpty()) {
      return ManifestData.empty();
    }
    if (data.get().length() > (MAX_MANIFEST + 2) / 3 * 4) {
      throw new ProtocolException("field 'manifest_data' exceeds " + MAX_MANIFEST + " bytes");
    }
    try {
      return ManifestData.of(Base64.getDecoder().decode(data.get()));
    } catch (IllegalArgumentException e) {
      throw new ProtocolException("field 'manifest_data' is not valid base64", e);
    }
  }

  private static Optional<String> path(WireMessage m) throws ProtocolException {
    Optional<String> path = m.get("manifest");
    if (path.isPresent() && !path.get().isEmpty() && !path.get().startsWith("/")) {
      throw new ProtocolException("field 'manifest' is not an absolute path");
    }
    return path;
  }

  private static void checkKeys(WireMessage m, String op, Set<String> allowed)
      throws ProtocolException {
    Set<String> unknown = new TreeSet<>(m.fields().keySet());
    unknown.removeAll(allowed);
    if (!unknown.isEmpty()) {
      throw new ProtocolException("unknown fields " + unknown + " for operation " + op);
    }
  }

  private static String required(WireMessage m, String key) throws ProtocolException {
    return m.get(key).orElseThrow(() -> new ProtocolException("missing field '" + key + "'"));
  }

  private static long jobId(WireMessage m) throws ProtocolException {
    long job = u32(m, "job");
    if (job == 0) {
      throw new ProtocolException("field 'job' is 0, which is no Slurm job id");
    }
    return job;
  }

  private static String node(WireMessage m) throws ProtocolException {
    String node = required(m, "node");
    if (!NODE.matcher(node).matches()) {
      throw new ProtocolException("field 'node' is not a valid node name");
    }
    return node;
  }

  private static long u32(WireMessage m, String key) throws ProtocolException {
    return parseU32(key, required(m, key));
  }

  private static Optional<Long> optionalU32(WireMessage m, String key) throws ProtocolException {
    Optional<String> value = m.get(key);
    return value.isEmpty() ? Optional.empty() : Optional.of(parseU32(key, value.get()));
  }

  private static long parseU32(String key, String text) throws ProtocolException {
    if (text.isEmpty() || text.length() > 10 || !text.chars().allMatch(c -> c >= '0' && c <= '9')) {
      throw new ProtocolException("field '" + key + "' is not a decimal number");
    }
    long value = Long.parseLong(text);
    if (value > MAX_U32) {
      throw new ProtocolException("field '" + key + "' exceeds " + MAX_U32);
    }
    return value;
  }
}
