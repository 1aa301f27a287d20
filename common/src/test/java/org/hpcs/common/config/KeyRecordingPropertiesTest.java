package org.hpcs.common.config;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.StringReader;
import org.junit.jupiter.api.Test;

class KeyRecordingPropertiesTest {
  @Test
  void load_keysSetTwice_recordedOnce() throws Exception {
    KeyRecordingProperties properties = new KeyRecordingProperties();

    properties.load(new StringReader("b=1\na=1\nb=2\nc=1\nb=3\na=2\n"));

    assertThat(properties.repeatedKeys()).containsExactly("a", "b");
    assertThat(properties.getProperty("b")).isEqualTo("3");
  }

  @Test
  void load_eachKeyOnce_nothingRecorded() throws Exception {
    KeyRecordingProperties properties = new KeyRecordingProperties();

    properties.load(new StringReader("a=1\nb=2\n"));

    assertThat(properties.repeatedKeys()).isEmpty();
  }
}
