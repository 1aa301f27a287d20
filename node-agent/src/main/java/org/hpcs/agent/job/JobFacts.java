package org.hpcs.agent.job;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.regex.Pattern;
import org.hpcs.common.api.BundleRef;
import org.hpcs.common.api.JobStartRequest;

/**
 * Collects what the server needs to start a job: the user name (getent), the allocation's nodes
 * (scontrol show hostnames), partition and time limit (squeue) and the bundles of the manifest.
 */
public final class JobFacts {
  private static final Pattern SHA256 = Pattern.compile("[0-9a-f]{64}");
  private static final Pattern BUNDLE_ID = Pattern.compile("[A-Za-z0-9._-]{1,128}");
  private static final ObjectMapper MAPPER = new ObjectMapper();
  private static final Duration TIMEOUT = Duration.ofSeconds(20);

  private final Path binDir;
  private final Optional<Path> slurmConf;

  /** Uses the Slurm commands in {@code binDir}, with SLURM_CONF set when given. */
  public JobFacts(Path binDir, Optional<Path> slurmConf) {
    this.binDir = binDir;
    this.slurmConf = slurmConf;
  }

  /**
   * Looks up the facts of a job.
   *
   * @throws PipelineException naming the fact that could not be found
   */
  public JobStartRequest lookup(JobContext job) throws PipelineException {
    String user = firstField(run("getent", "passwd", Long.toString(job.uid())), ':');
    if (user.isEmpty()) {
      throw new PipelineException(
          "uid " + job.uid() + " of job " + job.jobId() + " has no user name on " + job.node());
    }
    String jobId = Long.toString(job.jobId());
    String[] queue =
        run(binDir.resolve("squeue").toString(), "-h", "-j", jobId, "-o", "%P|%l|%N")
            .strip()
            .split("\\|", -1);
    if (queue.length != 3) {
      throw new PipelineException(
          "squeue did not list job " + jobId + "; cannot start it on " + job.node());
    }
    String partition = job.details().partition().orElse(queue[0]);
    String nodeList = job.details().nodeList().orElse(queue[2]);
    List<String> nodes =
        run(binDir.resolve("scontrol").toString(), "show", "hostnames", nodeList)
            .lines()
            .map(String::strip)
            .filter(s -> !s.isEmpty())
            .toList();
    return new JobStartRequest(user, nodes, partition, parseTimeLimit(queue[1]), bundles(job));
  }

  /**
   * Parses squeue's time limit ({@code [days-][hours:]minutes:seconds}, or UNLIMITED) to seconds; 0
   * means no limit.
   */
  static long parseTimeLimit(String text) throws PipelineException {
    String value = text.strip();
    if (value.equals("UNLIMITED") || value.equals("INFINITE") || value.equals("NOT_SET")) {
      return 0;
    }
    long days = 0;
    int dash = value.indexOf('-');
    if (dash > 0) {
      days = parseNumber(value.substring(0, dash), text);
      value = value.substring(dash + 1);
    }
    long seconds = 0;
    for (String part : value.split(":", -1)) {
      seconds = seconds * 60 + parseNumber(part, text);
    }
    return days * 86_400 + seconds;
  }

  private static long parseNumber(String part, String text) throws PipelineException {
    if (part.isEmpty() || part.length() > 9 || !part.chars().allMatch(Character::isDigit)) {
      throw new PipelineException("time limit '" + text + "' from squeue is not [days-]hh:mm:ss");
    }
    return Long.parseLong(part);
  }

  /**
   * Reads the bundles from the manifest: {@code {"bundles": [{"bundleId": ..., "manifestSha256":
   * ...}]}}. An empty manifest (the site defaults) names no bundle.
   *
   * <p>NOTE: only the bundle list is checked here; the manifest schema as a whole belongs to the
   * pipeline stage that decrypts the bundles.
   */
  static List<BundleRef> bundles(JobContext job) throws PipelineException {
    byte[] manifest = job.details().manifest().bytes();
    if (manifest.length == 0) {
      return List.of();
    }
    String where = "manifest " + job.details().manifestPath() + " of job " + job.jobId();
    JsonNode root;
    try {
      root = MAPPER.readTree(manifest);
    } catch (IOException e) {
      throw new PipelineException(where + " is not valid JSON: " + e.getMessage(), e);
    }
    JsonNode list = root == null ? null : root.get("bundles");
    if (list == null) {
      return List.of();
    }
    if (!list.isArray()) {
      throw new PipelineException(where + ": 'bundles' must be an array");
    }
    List<BundleRef> bundles = new ArrayList<>();
    for (JsonNode entry : list) {
      String id = entry.path("bundleId").asText("");
      String sha = entry.path("manifestSha256").asText("");
      if (!BUNDLE_ID.matcher(id).matches() || !SHA256.matcher(sha).matches()) {
        throw new PipelineException(
            where + ": each bundle needs a 'bundleId' and a lower-case hex 'manifestSha256'");
      }
      bundles.add(new BundleRef(id, sha));
    }
    return bundles;
  }

  private String run(String... command) throws PipelineException {
    try {
      Commands.Result result = Commands.run(List.of(command), slurmConf, TIMEOUT);
      if (result.exitCode() != 0) {
        throw new PipelineException(
            "command " + String.join(" ", command) + " failed with exit code " + result.exitCode());
      }
      return result.stdout();
    } catch (IOException e) {
      throw new PipelineException("running " + command[0] + " failed: " + e.getMessage(), e);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new PipelineException("interrupted while running " + command[0], e);
    }
  }

  private static String firstField(String line, char separator) {
    int end = line.indexOf(separator);
    return end < 0 ? "" : line.substring(0, end);
  }
}
