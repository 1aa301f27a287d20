package org.hpcs.server.slurm;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.time.Duration;
import org.junit.jupiter.api.Test;

class ScontrolJobDirectoryTest {
  private static final String LINE =
      "JobId=16 JobName=wrap UserId=alice(1002) GroupId=alice(1002) MCS_label=N/A JobState=RUNNING"
          + " Reason=None TimeLimit=00:05:00 Partition=debug ReqNodeList=n1 NodeList=n[1-2]"
          + " BatchHost=n1 Power=";

  @Test
  void field_presentKeys_valuesWithoutNeighbours() {
    assertThat(ScontrolJobDirectory.field(LINE, "JobId")).isEqualTo("16");
    assertThat(ScontrolJobDirectory.field(LINE, "UserId")).isEqualTo("alice(1002)");
    assertThat(ScontrolJobDirectory.field(LINE, "NodeList")).isEqualTo("n[1-2]");
    assertThat(ScontrolJobDirectory.field(LINE, "Power")).isEmpty();
    assertThat(ScontrolJobDirectory.field(LINE, "Missing")).isEmpty();
  }

  @Test
  void field_keyThatEndsAnotherKey_notConfused() {
    assertThat(ScontrolJobDirectory.field(LINE, "List")).isEmpty();
  }

  @Test
  void timeLimit_slurmForms_parsed() throws Exception {
    assertThat(ScontrolJobDirectory.timeLimit("00:05:00")).isEqualTo(Duration.ofMinutes(5));
    assertThat(ScontrolJobDirectory.timeLimit("1-02:03:04"))
        .isEqualTo(Duration.ofDays(1).plusHours(2).plusMinutes(3).plusSeconds(4));
    assertThat(ScontrolJobDirectory.timeLimit("10:00")).isEqualTo(Duration.ofMinutes(10));
    assertThat(ScontrolJobDirectory.timeLimit("UNLIMITED")).isNull();
  }

  @Test
  void timeLimit_garbage_rejectedNamingValue() {
    SlurmException e =
        assertThrows(SlurmException.class, () -> ScontrolJobDirectory.timeLimit("soon"));

    assertThat(e.getMessage()).contains("'soon'");
  }
}
