package org.hpcs.attest;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import org.junit.jupiter.api.Test;

class InMemoryNonceStoreTest {
  private static final Instant NOW = Instant.parse("2025-06-01T12:00:00Z");
  private final byte[] nonce = {1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15, 16};

  @Test
  void markUsed_firstTime_returnsTrue() {
    NonceStore store = new InMemoryNonceStore(Clock.fixed(NOW, ZoneOffset.UTC));

    assertThat(store.markUsed("tpm-devid", nonce, NOW.plusSeconds(60))).isTrue();
  }

  @Test
  void markUsed_secondTime_returnsFalse() {
    NonceStore store = new InMemoryNonceStore(Clock.fixed(NOW, ZoneOffset.UTC));
    store.markUsed("tpm-devid", nonce, NOW.plusSeconds(60));

    assertThat(store.markUsed("tpm-devid", nonce, NOW.plusSeconds(60))).isFalse();
  }

  @Test
  void markUsed_otherScope_returnsTrue() {
    NonceStore store = new InMemoryNonceStore(Clock.fixed(NOW, ZoneOffset.UTC));
    store.markUsed("tpm-devid", nonce, NOW.plusSeconds(60));

    assertThat(store.markUsed("sev-snp", nonce, NOW.plusSeconds(60))).isTrue();
  }

  @Test
  void markUsed_afterExpiry_forgetsOldRecord() {
    MutableClock clock = new MutableClock(NOW);
    NonceStore store = new InMemoryNonceStore(clock);
    store.markUsed("tpm-devid", nonce, NOW.plusSeconds(60));

    clock.advance(Duration.ofSeconds(61));

    assertThat(store.markUsed("tpm-devid", nonce, clock.instant().plusSeconds(60))).isTrue();
  }

  private static final class MutableClock extends Clock {
    private Instant now;

    MutableClock(Instant now) {
      this.now = now;
    }

    void advance(Duration duration) {
      now = now.plus(duration);
    }

    @Override
    public ZoneOffset getZone() {
      return ZoneOffset.UTC;
    }

    @Override
    public Clock withZone(java.time.ZoneId zone) {
      return this;
    }

    @Override
    public Instant instant() {
      return now;
    }
  }
}
