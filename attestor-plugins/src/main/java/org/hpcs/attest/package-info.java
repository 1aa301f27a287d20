/**
 * Node attestation SPI. A node-side {@link org.hpcs.attest.NodeAttestor} turns a server challenge
 * into evidence; a server-side {@link org.hpcs.attest.EvidenceVerifier} checks that evidence and
 * returns the node's identity. An attestor that needs a second round trip implements {@link
 * org.hpcs.attest.MultiRoundVerifier} on the server side. Verifiers record accepted nonces in a
 * {@link org.hpcs.attest.NonceStore}, which the server may share between replicas. Implementations
 * are found with {@link java.util.ServiceLoader} through their providers and each lives in its own
 * sub-package.
 */
package org.hpcs.attest;
