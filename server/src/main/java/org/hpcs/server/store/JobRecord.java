package org.hpcs.server.store;

import java.time.Instant;
import java.util.List;
import org.hpcs.common.api.BundleRef;

/**
 * A job the server released keys for.
 *
 * @param id the Slurm job identifier
 * @param user the job's user
 * @param partition the job's partition
 * @param nodes the job's nodes
 * @param bundles the bundles and manifest digests approved at the first start
 * @param startedAt the first start
 * @param deadlineAt the first start plus the time limit; no key release after it
 * @param releasedAt when the Vault role and policy were last deleted, null while they exist
 */
public record JobRecord(
    String id,
    String user,
    String partition,
    List<String> nodes,
    List<BundleRef> bundles,
    Instant startedAt,
    Instant deadlineAt,
    Instant releasedAt) {
  /** Copies the lists. */
  public JobRecord {
    nodes = List.copyOf(nodes);
    bundles = List.copyOf(bundles);
  }
}
