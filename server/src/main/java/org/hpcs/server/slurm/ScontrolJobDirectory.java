package org.hpcs.server.slurm;

import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.hpcs.common.process.CommandException;
import org.hpcs.common.process.CommandOutput;
import org.hpcs.common.process.ExternalCommand;

/**
 * {@link JobDirectory} through {@code scontrol show job -o}, whose one-line output is parsed for
 * the few fields the server checks. Node lists are expanded with {@code scontrol show hostnames}.
 */
public final class ScontrolJobDirectory implements JobDirectory {
  private static final Duration TIMEOUT = Duration.ofSeconds(20);
  private static final Pattern TIME_LIMIT =
      Pattern.compile("(?:(\\d+)-)?(?:(\\d+):)?(\\d+):(\\d+)");

  private final Path scontrol;
  private final Path slurmConf;

  /**
   * Creates the directory.
   *
   * @param scontrol the scontrol executable
   * @param slurmConf the slurm.conf to use, or null for Slurm's default
   */
  public ScontrolJobDirectory(Path scontrol, Path slurmConf) {
    this.scontrol = scontrol;
    this.slurmConf = slurmConf;
  }

  @Override
  public Optional<SlurmJob> find(String jobId) throws SlurmException {
    CommandOutput output = run(List.of("show", "job", "-o", jobId));
    if (output.exitCode() != 0) {
      if (output.stderr().contains("Invalid job id")) {
        return Optional.empty();
      }
      throw new SlurmException(
          "scontrol show job " + jobId + " failed: " + output.stderr().strip());
    }
    String line = output.stdout().strip();
    String nodeList = field(line, "NodeList");
    return Optional.of(
        new SlurmJob(
            field(line, "JobId"),
            field(line, "UserId").replaceFirst("\\(\\d+\\)$", ""),
            field(line, "JobState"),
            field(line, "Partition"),
            nodeList.isEmpty() || nodeList.equals("(null)") ? List.of() : expand(nodeList),
            timeLimit(field(line, "TimeLimit"))));
  }

  /** Parses Slurm's time limit, {@code [days-][hours:]minutes:seconds} or UNLIMITED. */
  static Duration timeLimit(String text) throws SlurmException {
    if (text.equals("UNLIMITED") || text.equals("Partition_Limit")) {
      return null;
    }
    Matcher matcher = TIME_LIMIT.matcher(text);
    if (!matcher.matches()) {
      throw new SlurmException("unreadable Slurm time limit '" + text + "'");
    }
    long days = matcher.group(1) == null ? 0 : Long.parseLong(matcher.group(1));
    long hours = matcher.group(2) == null ? 0 : Long.parseLong(matcher.group(2));
    return Duration.ofDays(days)
        .plusHours(hours)
        .plusMinutes(Long.parseLong(matcher.group(3)))
        .plusSeconds(Long.parseLong(matcher.group(4)));
  }

  /** Returns the value of {@code key=value} in scontrol's one-line output, or "". */
  static String field(String line, String key) {
    Matcher matcher = Pattern.compile("(?:^|\\s)" + Pattern.quote(key) + "=(\\S*)").matcher(line);
    return matcher.find() ? matcher.group(1) : "";
  }

  private List<String> expand(String hostlist) throws SlurmException {
    CommandOutput output = run(List.of("show", "hostnames", hostlist));
    if (output.exitCode() != 0) {
      throw new SlurmException(
          "scontrol show hostnames " + hostlist + " failed: " + output.stderr().strip());
    }
    List<String> nodes = new ArrayList<>();
    for (String node : output.stdout().split("\n", -1)) {
      if (!node.isBlank()) {
        nodes.add(node.strip());
      }
    }
    return nodes;
  }

  private CommandOutput run(List<String> args) throws SlurmException {
    List<String> command = new ArrayList<>();
    command.add(scontrol.toString());
    command.addAll(args);
    ExternalCommand external = ExternalCommand.of(command);
    if (slurmConf != null) {
      external = external.withEnvironment("SLURM_CONF", slurmConf.toString());
    }
    try {
      return external.run(TIMEOUT);
    } catch (CommandException e) {
      throw switch (e.reason()) {
        case START_FAILED ->
            new SlurmException(
                "cannot run "
                    + scontrol
                    + ": "
                    + e.getCause().getMessage()
                    + "; check slurm.scontrol",
                e);
        case TIMED_OUT ->
            new SlurmException(
                "scontrol " + String.join(" ", args) + " timed out after " + TIMEOUT, e);
        case INPUT_FAILED, OUTPUT_FAILED ->
            new SlurmException("cannot read scontrol output: " + e.getCause().getMessage(), e);
      };
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new SlurmException("interrupted while running scontrol", e);
    }
  }
}
