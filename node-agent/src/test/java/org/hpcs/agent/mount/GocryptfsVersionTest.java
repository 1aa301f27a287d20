package org.hpcs.agent.mount;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import org.junit.jupiter.api.Test;

class GocryptfsVersionTest {
  @Test
  void parse_debianOutput_readsMajorMinor() {
    GocryptfsVersion version =
        GocryptfsVersion.parse(
            "gocryptfs 2.3; go-fuse 2.1.0+git20220822.58a7e14; 2023-04-09 go1.19.8 linux/amd64\n");

    assertThat(version).isEqualTo(new GocryptfsVersion(2, 3));
    assertThat(version.isSupported()).isTrue();
  }

  @Test
  void parse_upstreamOutput_acceptsLeadingV() {
    assertThat(GocryptfsVersion.parse("gocryptfs v2.4.0; go-fuse v2.4.0; 2023-06-10"))
        .isEqualTo(new GocryptfsVersion(2, 4));
  }

  @Test
  void isSupported_release1x_false() {
    assertThat(GocryptfsVersion.parse("gocryptfs v1.8.0; go-fuse v2.0.3").isSupported()).isFalse();
  }

  @Test
  void parse_otherTool_rejects() {
    assertThatThrownBy(() -> GocryptfsVersion.parse("fusermount3 version: 3.14.0"))
        .hasMessageContaining("Unrecognised gocryptfs -version output: fusermount3");
  }
}
