package org.hpcs.client.cli;

import java.util.regex.Pattern;

/** Slurm job ids as hpcs accepts them: {@code 42} and array tasks such as {@code 42_7}. */
final class JobIds {
  private static final Pattern JOB_ID = Pattern.compile("[0-9]{1,18}(_[0-9]{1,9})?");

  private JobIds() {}

  /**
   * Checks a job id; null passes.
   *
   * @throws IllegalArgumentException naming the value and the accepted forms
   */
  static String check(String jobId) {
    if (jobId != null && !JOB_ID.matcher(jobId).matches()) {
      throw new IllegalArgumentException(
          "invalid job id '%s': use the number that sbatch or hpcs job submit printed, such as 42 or 42_7"
              .formatted(jobId));
    }
    return jobId;
  }
}
