package org.hpcs.agent.protocol;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.fail;

import java.io.ByteArrayInputStream;
import java.nio.channels.Channels;
import java.nio.charset.StandardCharsets;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Random;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * Randomized tests of the decoder: random and mutated inputs must either decode or raise a
 * ProtocolException with a message, never another exception; random valid messages round-trip.
 * Seeds are fixed so a failure reproduces.
 */
class WireCodecFuzzTest {
  private static final String STEP_START =
      "v=1\nop=step_start\njob=12\nstep=0\nnode=n1\nuid=1001\ngid=1001\nmanifest=/home/a/m.json\n";
  private static final String[] SEEDS = {
    STEP_START + "manifest_data=eyJidW5kbGVzIjpbXX0=\n",
    "v=1\nop=step_end\njob=12\nstep=4294967291\nnode=n2\n",
    "v=1\nop=job_start\njob=3\nnode=n3\nuid=0\nmanifest=\n",
    "v=1\nop=job_end\njob=3\nnode=n3\n",
    STEP_START.replace("step=0", "step=4294967291") + "script=/var/spool/slurmd/job00012/s\n",
  };

  @ParameterizedTest
  @ValueSource(longs = {1, 2, 3, 4})
  void decodeAndParse_mutatedInput_onlyProtocolExceptions(long seed) {
    Random random = new Random(seed);
    for (int i = 0; i < 5_000; i++) {
      byte[] input =
          random.nextInt(4) == 0
              ? randomBytes(random)
              : mutate(random, SEEDS[random.nextInt(SEEDS.length)]);
      try {
        Request request = Requests.parse(WireCodec.decode(input));
        assertThat(request.jobId()).isBetween(1L, 0xffff_ffffL);
        assertThat(request.node()).isNotEmpty();
        if (request instanceof Request.StepStart start) {
          assertThat(start.details().batchScript().orElse("/")).startsWith("/");
        }
      } catch (ProtocolException e) {
        assertThat(e.getMessage()).isNotBlank();
      } catch (RuntimeException e) {
        fail("seed " + seed + " input " + i + " threw " + e, e);
      }
    }
  }

  @ParameterizedTest
  @ValueSource(longs = {5, 6})
  void readFrame_randomStreams_onlyProtocolExceptions(long seed) throws Exception {
    Random random = new Random(seed);
    for (int i = 0; i < 2_000; i++) {
      byte[] input = randomBytes(random);
      if (input.length >= 4 && random.nextBoolean()) {
        input[0] = 0;
        input[1] = 0;
      }
      try {
        byte[] payload = WireCodec.readFrame(Channels.newChannel(new ByteArrayInputStream(input)));
        if (payload != null) {
          assertThat(payload.length).isBetween(1, WireCodec.MAX_FRAME);
        }
      } catch (ProtocolException e) {
        assertThat(e.getMessage()).isNotBlank();
      }
    }
  }

  @ParameterizedTest
  @ValueSource(longs = {7, 8})
  void encodeDecode_randomFields_roundTrip(long seed) throws ProtocolException {
    Random random = new Random(seed);
    for (int i = 0; i < 2_000; i++) {
      Map<String, String> fields = new LinkedHashMap<>();
      int count = random.nextInt(WireCodec.MAX_FIELDS - 1);
      for (int f = 0; f < count; f++) {
        fields.put("k" + f + "_" + random.nextInt(1000), randomValue(random));
      }
      byte[] frame = WireCodec.encode(fields);
      WireMessage back = WireCodec.decode(java.util.Arrays.copyOfRange(frame, 4, frame.length));
      Map<String, String> expected = new LinkedHashMap<>();
      expected.put("v", WireCodec.VERSION);
      expected.putAll(fields);
      assertThat(back.fields()).containsExactlyEntriesOf(expected);
    }
  }

  private static byte[] randomBytes(Random random) {
    byte[] bytes = new byte[random.nextInt(300)];
    random.nextBytes(bytes);
    return bytes;
  }

  private static String randomValue(Random random) {
    StringBuilder value = new StringBuilder();
    int length = random.nextInt(40);
    for (int i = 0; i < length; i++) {
      int c = random.nextInt(4) == 0 ? 0xa0 + random.nextInt(0x2000) : 0x20 + random.nextInt(0x5f);
      value.appendCodePoint(c);
    }
    return value.toString();
  }

  private static byte[] mutate(Random random, String seed) {
    StringBuilder text = new StringBuilder(seed);
    int rounds = 1 + random.nextInt(6);
    for (int r = 0; r < rounds && text.length() > 0; r++) {
      int pos = random.nextInt(text.length());
      switch (random.nextInt(5)) {
        case 0 -> text.setCharAt(pos, (char) random.nextInt(128));
        case 1 -> text.setLength(pos);
        case 2 -> text.insert(pos, "=\n01v_x".charAt(random.nextInt(7)));
        case 3 -> text.deleteCharAt(pos);
        default -> text.insert(pos, text.substring(0, Math.min(pos, 20)));
      }
    }
    return text.toString().getBytes(StandardCharsets.UTF_8);
  }
}
