/**
 * Node attestation SPI. A node-side {@link org.hpcs.attest.NodeAttestor} turns a server challenge
 * into evidence; a server-side {@link org.hpcs.attest.EvidenceVerifier} checks that evidence and
 * returns the node's identity. Implementations are found with {@link java.util.ServiceLoader}
 * through their providers and each lives in its own sub-package.
 */
package org.hpcs.attest;
