package org.hpcs.agent.report;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

class ServerReporterTest {
  @Test
  void shorten_detailBeyondServerLimit_cutToLimit() {
    String detail = "x".repeat(3000);

    String shortened = ServerReporter.shorten(detail);

    assertThat(shortened).hasSize(ServerReporter.MAX_DETAIL).endsWith("...");
  }

  @Test
  void shorten_detailWithinLimit_unchanged() {
    assertThat(ServerReporter.shorten("decrypted image")).isEqualTo("decrypted image");
  }
}
