package org.hpcs.common;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

class VersionTest {
  @Test
  void current_isSemanticVersion() {
    assertThat(Version.CURRENT).matches("\\d+\\.\\d+\\.\\d+");
  }
}
