package org.hpcs.agent.protocol;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.ByteArrayInputStream;
import java.nio.ByteBuffer;
import java.nio.channels.Channels;
import java.nio.charset.StandardCharsets;
import java.util.LinkedHashMap;
import java.util.Map;
import org.junit.jupiter.api.Test;

class WireCodecTest {
  private static WireMessage decode(String text) throws ProtocolException {
    return WireCodec.decode(text.getBytes(StandardCharsets.UTF_8));
  }

  @Test
  void decode_validMessage_keepsFieldsInOrder() throws ProtocolException {
    WireMessage message = decode("v=1\nop=step_end\njob=7\nstep=0\nnode=n1\n");

    assertThat(message.fields())
        .containsExactly(
            Map.entry("v", "1"),
            Map.entry("op", "step_end"),
            Map.entry("job", "7"),
            Map.entry("step", "0"),
            Map.entry("node", "n1"));
  }

  @Test
  void decode_emptyValue_isKept() throws ProtocolException {
    assertThat(decode("v=1\nmanifest=\n").get("manifest")).contains("");
  }

  @Test
  void decode_unknownVersion_rejected() {
    assertThatThrownBy(() -> decode("v=2\nop=job_end\n"))
        .isInstanceOf(ProtocolException.class)
        .hasMessageContaining("unsupported protocol version '2'");
  }

  @Test
  void decode_versionNotFirst_rejected() {
    assertThatThrownBy(() -> decode("op=job_end\nv=1\n"))
        .hasMessageContaining("expected the version 'v'");
  }

  @Test
  void decode_missingLineEnd_rejected() {
    assertThatThrownBy(() -> decode("v=1\nop=job_end")).hasMessageContaining("line end");
  }

  @Test
  void decode_duplicateKey_rejected() {
    assertThatThrownBy(() -> decode("v=1\njob=1\njob=2\n"))
        .hasMessageContaining("'job' occurs twice");
  }

  @Test
  void decode_invalidKey_rejected() {
    assertThatThrownBy(() -> decode("v=1\nJob=1\n")).hasMessageContaining("invalid key");
  }

  @Test
  void decode_lineWithoutEquals_rejected() {
    assertThatThrownBy(() -> decode("v=1\njob\n")).hasMessageContaining("has no '='");
  }

  @Test
  void decode_controlCharacterInValue_rejected() {
    assertThatThrownBy(() -> decode("v=1\nnode=n1\r\n")).hasMessageContaining("control character");
  }

  @Test
  void decode_invalidUtf8_rejected() {
    byte[] payload = {'v', '=', '1', '\n', 'a', '=', (byte) 0xc3, '\n'};

    assertThatThrownBy(() -> WireCodec.decode(payload)).hasMessageContaining("not valid UTF-8");
  }

  @Test
  void decode_tooManyFields_rejected() {
    StringBuilder text = new StringBuilder("v=1\n");
    for (int i = 0; i < WireCodec.MAX_FIELDS; i++) {
      text.append("k").append(i).append("=x\n");
    }

    assertThatThrownBy(() -> decode(text.toString())).hasMessageContaining("more than 32 fields");
  }

  @Test
  void readFrame_oversizedLength_rejected() {
    byte[] frame = ByteBuffer.allocate(8).putInt(WireCodec.MAX_FRAME + 1).array();

    assertThatThrownBy(() -> WireCodec.readFrame(channel(frame)))
        .hasMessageContaining("frame length 131073 is outside 1..131072");
  }

  @Test
  void readFrame_zeroLength_rejected() {
    assertThatThrownBy(() -> WireCodec.readFrame(channel(new byte[4])))
        .hasMessageContaining("frame length 0");
  }

  @Test
  void readFrame_truncatedPayload_rejected() {
    byte[] frame =
        ByteBuffer.allocate(8).putInt(20).put("v=1\n".getBytes(StandardCharsets.UTF_8)).array();

    assertThatThrownBy(() -> WireCodec.readFrame(channel(frame)))
        .hasMessageContaining("truncated frame: connection closed after 4 of 20 payload bytes");
  }

  @Test
  void readFrame_truncatedHeader_rejected() {
    assertThatThrownBy(() -> WireCodec.readFrame(channel(new byte[] {0, 0})))
        .hasMessageContaining("after 2 of 4 header bytes");
  }

  @Test
  void readFrame_closedBeforeFrame_returnsNull() throws Exception {
    assertThat(WireCodec.readFrame(channel(new byte[0]))).isNull();
  }

  @Test
  void encode_thenRead_roundTrips() throws Exception {
    Map<String, String> fields = new LinkedHashMap<>();
    fields.put("status", "error");
    fields.put("message", "job 7 is not granted: ünïcode");

    byte[] frame = WireCodec.encode(fields);
    WireMessage back = WireCodec.decode(WireCodec.readFrame(channel(frame)));

    assertThat(back.fields()).containsEntry("message", "job 7 is not granted: ünïcode");
    assertThat(back.fields()).containsEntry("v", "1");
  }

  @Test
  void encode_newlineInValue_rejected() {
    assertThatThrownBy(() -> WireCodec.encode(Map.of("message", "a\nb")))
        .isInstanceOf(IllegalArgumentException.class);
  }

  @Test
  void replyEncode_controlCharacters_becomeSpaces() throws Exception {
    byte[] frame = Reply.error("line one\nline two").encode();

    WireMessage back = WireCodec.decode(WireCodec.readFrame(channel(frame)));

    assertThat(back.get("message")).contains("line one line two");
  }

  @Test
  void replyEncode_launch_okWithLaunchField() throws Exception {
    byte[] frame = Reply.launch("/run/hpcs/launch/n1/42.0").encode();

    WireMessage back = WireCodec.decode(WireCodec.readFrame(channel(frame)));

    assertThat(back.fields())
        .containsExactly(
            Map.entry("v", "1"),
            Map.entry("status", "ok"),
            Map.entry("launch", "/run/hpcs/launch/n1/42.0"));
  }

  @Test
  void reply_launchOnError_rejected() {
    assertThatThrownBy(() -> new Reply(Reply.Status.ERROR, "denied", "/run/x"))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("only an ok reply");
  }

  @Test
  void reply_relativeLaunch_rejected() {
    assertThatThrownBy(() -> Reply.launch("run/x"))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("not usable");
  }

  private static java.nio.channels.ReadableByteChannel channel(byte[] bytes) {
    return Channels.newChannel(new ByteArrayInputStream(bytes));
  }
}
