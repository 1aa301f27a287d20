package org.hpcs.client.job;

import java.util.List;
import java.util.regex.Pattern;

/**
 * The batch script that {@code hpcs job submit} generates: {@code #SBATCH} lines for the secured
 * job and its Slurm options, then one {@code srun} line with the quoted command.
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

  /** Returns the script text. */
  public String render() {
    StringBuilder script = new StringBuilder("#!/bin/bash\n");
    script.append("#SBATCH --hpcs-secure=").append(jobManifest).append('\n');
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
    script.append("# bundles; srun runs the command below on the job's nodes.\n");
    script.append("srun ").append(ShellQuoting.join(options.command())).append('\n');
    return script.toString();
  }
}
