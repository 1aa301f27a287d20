package org.hpcs.client.job;

import java.util.ArrayList;
import java.util.List;
import java.util.regex.Pattern;

/**
 * The Slurm options and the command of a job that {@code hpcs job submit} writes into the batch
 * script.
 *
 * @param jobName the Slurm job name
 * @param nodes the node count, or null for Slurm's default
 * @param partition the partition, or null for the default partition
 * @param timeLimit the time limit in a format that sbatch accepts, or null for the default
 * @param command the program and its arguments, run by srun
 */
public record SlurmOptions(
    String jobName, Integer nodes, String partition, String timeLimit, List<String> command) {
  private static final Pattern JOB_NAME = Pattern.compile("[A-Za-z0-9][A-Za-z0-9._+-]{0,127}");
  private static final Pattern PARTITION = Pattern.compile("[A-Za-z0-9][A-Za-z0-9._-]{0,63}");
  private static final Pattern TIME =
      Pattern.compile(
          "[0-9]{1,7}(:[0-9]{1,2}){0,2}|[0-9]{1,5}-[0-9]{1,2}(:[0-9]{1,2}){0,2}"
              + "|(?i:unlimited|infinite)");
  private static final int MAX_NODES = 100_000;

  /**
   * Checks every value, because each ends up in a line of a script that Slurm and bash read.
   *
   * @throws IllegalArgumentException naming each bad option and the accepted form
   */
  public SlurmOptions {
    command = List.copyOf(command);
    List<String> problems = new ArrayList<>();
    if (jobName == null || !JOB_NAME.matcher(jobName).matches()) {
      problems.add(
          "--name '%s' is invalid: use letters, digits, '.', '_', '+' and '-' (at most 128), starting with a letter or digit"
              .formatted(jobName));
    }
    if (nodes != null && (nodes < 1 || nodes > MAX_NODES)) {
      problems.add("--nodes " + nodes + " must be from 1 to " + MAX_NODES);
    }
    if (partition != null && !PARTITION.matcher(partition).matches()) {
      problems.add(
          "--partition '" + partition + "' is invalid: use letters, digits, '.', '_' and '-'");
    }
    if (timeLimit != null && !TIME.matcher(timeLimit).matches()) {
      problems.add(
          "--time '"
              + timeLimit
              + "' is invalid: use minutes, MM:SS, HH:MM:SS, D-HH, D-HH:MM or D-HH:MM:SS");
    }
    checkCommand(command, problems);
    if (!problems.isEmpty()) {
      throw new IllegalArgumentException(String.join("; ", problems));
    }
  }

  private static void checkCommand(List<String> command, List<String> problems) {
    if (command.isEmpty()) {
      problems.add("no command given: put it after '--', for example -- python3 train.py");
      return;
    }
    if (command.get(0).isEmpty() || command.get(0).startsWith("-")) {
      problems.add("command '" + command.get(0) + "' must name a program, not an option of srun");
    }
    if (command.stream().anyMatch(word -> word.indexOf('\0') >= 0)) {
      problems.add("a command argument contains a NUL character, which no shell word can carry");
    }
  }
}
