package org.hpcs.agent.protocol;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.charset.StandardCharsets;
import java.util.Base64;
import org.junit.jupiter.api.Test;

class RequestsTest {
  private static Request parse(String text) throws ProtocolException {
    return Requests.parse(WireCodec.decode(text.getBytes(StandardCharsets.UTF_8)));
  }

  @Test
  void parse_stepStart_readsEveryField() throws ProtocolException {
    String manifest =
        Base64.getEncoder().encodeToString("{\"bundles\":[]}".getBytes(StandardCharsets.UTF_8));

    Request request =
        parse(
            "v=1\nop=step_start\njob=42\nstep=4294967291\nnode=n2\nuid=1001\ngid=1002\nnnodes=3\n"
                + "nodeid=1\ntasks=2\npartition=debug\nnodelist=n[1-3]\nsource=HPCS_SECURE\n"
                + "manifest=/home/alice/job.json\nmanifest_data="
                + manifest
                + "\n");

    assertThat(request).isInstanceOf(Request.StepStart.class);
    Request.StepStart start = (Request.StepStart) request;
    assertThat(start.jobId()).isEqualTo(42);
    assertThat(start.stepId()).isEqualTo(4294967291L);
    assertThat(start.uid()).isEqualTo(1001);
    assertThat(start.gid()).isEqualTo(1002);
    assertThat(start.details().nodeList()).contains("n[1-3]");
    assertThat(start.details().source()).isEqualTo("HPCS_SECURE");
    assertThat(new String(start.details().manifest().bytes(), StandardCharsets.UTF_8))
        .isEqualTo("{\"bundles\":[]}");
  }

  @Test
  void parse_batchStepWithScript_keepsScriptPath() throws ProtocolException {
    Request request =
        parse(
            """
            v=1
            op=step_start
            job=42
            step=4294967291
            node=n1
            uid=1001
            gid=1001
            script=/var/spool/slurmd/n1/job00042/slurm_script
            """);

    assertThat(((Request.StepStart) request).details().batchScript())
        .contains("/var/spool/slurmd/n1/job00042/slurm_script");
  }

  @Test
  void parse_stepWithoutScript_scriptEmpty() throws ProtocolException {
    Request request = parse("v=1\nop=step_start\njob=42\nstep=0\nnode=n1\nuid=1001\ngid=1001\n");

    assertThat(((Request.StepStart) request).details().batchScript()).isEmpty();
  }

  @Test
  void parse_relativeScript_rejected() {
    assertThatThrownBy(
            () ->
                parse(
                    """
                    v=1
                    op=step_start
                    job=42
                    step=0
                    node=n1
                    uid=1
                    gid=1
                    script=slurm_script
                    """))
        .hasMessageContaining("field 'script' is not an absolute path");
  }

  @Test
  void parse_scriptOnStepEnd_rejected() {
    assertThatThrownBy(() -> parse("v=1\nop=step_end\njob=9\nstep=0\nnode=n1\nscript=/s\n"))
        .hasMessageContaining("unknown fields [script]");
  }

  @Test
  void parse_jobEnd_minimal() throws ProtocolException {
    assertThat(parse("v=1\nop=job_end\njob=9\nnode=n1\n")).isEqualTo(new Request.JobEnd(9, "n1"));
  }

  @Test
  void parse_unknownOperation_rejected() {
    assertThatThrownBy(() -> parse("v=1\nop=mount\njob=9\nnode=n1\n"))
        .hasMessageContaining("unknown operation 'mount'");
  }

  @Test
  void parse_unknownField_rejected() {
    assertThatThrownBy(() -> parse("v=1\nop=job_end\njob=9\nnode=n1\nextra=1\n"))
        .hasMessageContaining("unknown fields [extra]");
  }

  @Test
  void parse_missingJob_rejected() {
    assertThatThrownBy(() -> parse("v=1\nop=job_end\nnode=n1\n"))
        .hasMessageContaining("missing field 'job'");
  }

  @Test
  void parse_jobIdZero_rejected() {
    assertThatThrownBy(() -> parse("v=1\nop=job_end\njob=0\nnode=n1\n"))
        .hasMessageContaining("is 0");
  }

  @Test
  void parse_numberAbove32Bits_rejected() {
    assertThatThrownBy(() -> parse("v=1\nop=job_end\njob=4294967296\nnode=n1\n"))
        .hasMessageContaining("exceeds");
  }

  @Test
  void parse_negativeNumber_rejected() {
    assertThatThrownBy(() -> parse("v=1\nop=job_end\njob=-1\nnode=n1\n"))
        .hasMessageContaining("not a decimal number");
  }

  @Test
  void parse_nodeWithSlash_rejected() {
    assertThatThrownBy(() -> parse("v=1\nop=job_end\njob=1\nnode=../n1\n"))
        .hasMessageContaining("not a valid node name");
  }

  @Test
  void parse_relativeManifest_rejected() {
    assertThatThrownBy(() -> parse("v=1\nop=job_start\njob=1\nnode=n1\nmanifest=job.json\n"))
        .hasMessageContaining("not an absolute path");
  }

  @Test
  void parse_oversizedManifest_rejected() {
    String data = "A".repeat(Requests.MAX_MANIFEST / 3 * 4 + 8);

    assertThatThrownBy(
            () ->
                parse(
                    "v=1\nop=step_start\njob=1\nstep=0\nnode=n1\nuid=1\ngid=1\nmanifest_data="
                        + data
                        + "\n"))
        .hasMessageContaining("exceeds 65536 bytes");
  }

  @Test
  void parse_invalidBase64_rejected() {
    assertThatThrownBy(
            () ->
                parse(
                    "v=1\nop=step_start\njob=1\nstep=0\nnode=n1\nuid=1\ngid=1\nmanifest_data=%%%\n"))
        .hasMessageContaining("not valid base64");
  }
}
