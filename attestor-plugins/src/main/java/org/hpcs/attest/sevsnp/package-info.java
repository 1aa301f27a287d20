/**
 * The {@code sev-snp} attestor. The node requests an AMD SEV-SNP attestation report whose report
 * data binds the server's nonce, the node name and the agent's TLS public key; the server checks
 * the report's VCEK signature, the VCEK chain to AMD's ARK and a policy (measurement allow-list,
 * debugging off, minimum TCB, report versions, VMPL).
 */
package org.hpcs.attest.sevsnp;
