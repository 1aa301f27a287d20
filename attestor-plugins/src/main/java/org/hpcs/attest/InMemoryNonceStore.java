package org.hpcs.attest;

import java.time.Clock;
import java.time.Instant;
import java.util.HexFormat;
import java.util.Map;
import java.util.Objects;
import java.util.concurrent.ConcurrentHashMap;

/** A {@link NonceStore} for a single server process; forgets expired nonces as it goes. */
public final class InMemoryNonceStore implements NonceStore {
  private final Map<String, Instant> used = new ConcurrentHashMap<>();
  private final Clock clock;

  /** Creates a store that reads the system clock. */
  public InMemoryNonceStore() {
    this(Clock.systemUTC());
  }

  /** Creates a store that reads the given clock. */
  public InMemoryNonceStore(Clock clock) {
    this.clock = Objects.requireNonNull(clock, "clock must not be null");
  }

  @Override
  public boolean markUsed(String scope, byte[] nonce, Instant expiresAt) {
    Objects.requireNonNull(scope, "scope must not be null");
    Objects.requireNonNull(nonce, "nonce must not be null");
    Objects.requireNonNull(expiresAt, "expiresAt must not be null");
    Instant now = clock.instant();
    used.values().removeIf(expiry -> expiry.isBefore(now));
    String key = scope + ":" + HexFormat.of().formatHex(nonce);
    return used.putIfAbsent(key, expiresAt) == null;
  }
}
