package org.hpcs.server.testing;

import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.UUID;
import java.util.concurrent.ConcurrentHashMap;
import org.hpcs.server.spire.SpireAdmin;
import org.hpcs.server.spire.SpireCli;
import org.hpcs.server.spire.SpireException;
import org.hpcs.server.spire.SpireJoinToken;

/** In-memory SPIRE server for unit tests of error paths; the integration tests use the real one. */
public final class FakeSpire implements SpireAdmin {
  private final String bundlePem;
  private final Set<String> nodeEntries = ConcurrentHashMap.newKeySet();
  private final List<String> revoked = new ArrayList<>();
  private volatile boolean failing;

  /** Creates the fake returning the given bundle. */
  public FakeSpire(String bundlePem) {
    this.bundlePem = bundlePem;
  }

  /** Makes every call fail until reset. */
  public void failing(boolean value) {
    failing = value;
  }

  /** Returns the nodes whose node-agent entry exists. */
  public Set<String> nodeEntries() {
    return Set.copyOf(nodeEntries);
  }

  /** Returns the nodes revoked so far. */
  public synchronized List<String> revoked() {
    return List.copyOf(revoked);
  }

  @Override
  public SpireJoinToken createJoinToken(String node, Duration ttl) throws SpireException {
    check();
    return new SpireJoinToken(
        UUID.randomUUID().toString(), Instant.now().plus(ttl), SpireCli.aliasId("hpcs.test", node));
  }

  @Override
  public boolean ensureNodeEntry(String node) throws SpireException {
    check();
    return nodeEntries.add(node);
  }

  @Override
  public synchronized int revokeNode(String node) throws SpireException {
    check();
    nodeEntries.remove(node);
    revoked.add(node);
    return 1;
  }

  @Override
  public String x509BundlePem() {
    return bundlePem;
  }

  private void check() throws SpireException {
    if (failing) {
      throw new SpireException("fake SPIRE server is down");
    }
  }
}
