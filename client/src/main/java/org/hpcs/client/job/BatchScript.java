package org.hpcs.client.job;

import java.util.List;
import java.util.regex.Pattern;

/**
 * The batch script that {@code hpcs job submit} generates, in one of two forms.
 *
 * <p>On one node the whole batch step is secured: {@code #SBATCH --hpcs-secure} makes the script
 * itself run inside the decrypted container, so its body runs the quoted command directly (there is
 * no {@code srun} in the container). On several nodes the script runs on the host of the first node
 * and starts one secured step across all of them with {@code srun --hpcs-secure}; each node runs
 * the command in its own container.
 *
 * @param jobManifest absolute remote path of the job manifest, the value of {@code --hpcs-secure}
 * @param workDir absolute remote working directory of the job
 * @param options the Slurm options and the command
 */
public record BatchScript(String jobManifest, String workDir, SlurmOptions options) {
  private static final Pattern REMOTE_PATH = Pattern.compile("/[A-Za-z0-9._/+@-]*");

  /**
   * Checks both paths, because they end up in {@code #SBATCH} lines.
   *
   * @throws IllegalArgumentException naming the path and the accepted characters
   */
  public BatchScript {
    for (String path : List.of(jobManifest, workDir)) {
      if (!REMOTE_PATH.matcher(path).matches()) {
        throw new IllegalArgumentException(
            "remote path '"
                + path
                + "' cannot go into an #SBATCH line: it must be absolute and contain only letters,"
                + " digits and '._/+@-'; set ssh.remote-dir to such a directory");
      }
    }
  }

  /** Returns true when the script starts a secured srun step instead of being secured itself. */
  public boolean multiNode() {
    return options.nodes() != null && options.nodes() > 1;
  }

  /** Returns the script text. */
  public String render() {
    StringBuilder script = new StringBuilder("#!/bin/bash\n");
    if (!multiNode()) {
      script.append("#SBATCH --hpcs-secure=").append(jobManifest).append('\n');
    }
    script.append("#SBATCH --job-name=").append(options.jobName()).append('\n');
    script.append("#SBATCH --chdir=").append(workDir).append('\n');
    if (options.nodes() != null) {
      script.append("#SBATCH --nodes=").append(options.nodes()).append('\n');
    }
    if (options.partition() != null) {
      script.append("#SBATCH --partition=").append(options.partition()).append('\n');
    }
    if (options.timeLimit() != null) {
      script.append("#SBATCH --time=").append(options.timeLimit()).append('\n');
    }
    script.append("#\n");
    script.append("# Written by hpcs job submit. The job manifest names the container and data\n");
    String command = ShellQuoting.join(options.command());
    if (multiNode()) {
      script.append(
          "# bundles; srun runs the command in the container on every node of the job.\n");
      script.append("srun --hpcs-secure=").append(jobManifest).append(' ').append(command);
    } else {
      script.append(
          "# bundles; this script runs in the container, so the command runs directly.\n");
      script.append("exec ").append(command);
    }
    return script.append('\n').toString();
  }
}
