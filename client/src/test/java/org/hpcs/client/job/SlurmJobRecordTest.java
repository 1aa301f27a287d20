package org.hpcs.client.job;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

class SlurmJobRecordTest {
  private static final String LINE =
      "JobId=79 JobName=job.sh UserId=alice(1002) GroupId=alice(1002) MCS_label=N/A"
          + " JobState=FAILED Reason=NonZeroExitCode Dependency=(null) ExitCode=1:0"
          + " AllocNode:Sid=localhost:1439 TRES=cpu=1,node=1,billing=1"
          + " ReqB:S:C:T=0:0:*:* Partition=debug NodeList=n1"
          + " Command=/tmp/c2test/job.sh WorkDir=/tmp/c2 test StdOut=/tmp/c2test/slurm-79.out"
          + " Power= \n";

  @Test
  void parse_scontrolLine_fieldsByKey() {
    SlurmJobRecord job = SlurmJobRecord.parse(LINE);

    assertThat(job.get("JobId")).hasValue("79");
    assertThat(job.get("JobState")).hasValue("FAILED");
    assertThat(job.get("UserId")).hasValue("alice(1002)");
    assertThat(job.get("TRES")).hasValue("cpu=1,node=1,billing=1");
    assertThat(job.get("AllocNode:Sid")).hasValue("localhost:1439");
    assertThat(job.get("ReqB:S:C:T")).hasValue("0:0:*:*");
  }

  @Test
  void parse_valueWithSpace_keptWhole() {
    assertThat(SlurmJobRecord.parse(LINE).get("WorkDir")).hasValue("/tmp/c2 test");
  }

  @Test
  void get_nullOrEmptyOrMissing_empty() {
    SlurmJobRecord job = SlurmJobRecord.parse(LINE);

    assertThat(job.get("Dependency")).isEmpty();
    assertThat(job.get("Power")).isEmpty();
    assertThat(job.get("NoSuchField")).isEmpty();
  }
}
