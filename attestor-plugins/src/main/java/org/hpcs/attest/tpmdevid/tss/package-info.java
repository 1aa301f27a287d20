/**
 * JNA bindings to tpm2-tss (libtss2-esys, -tctildr, -mu, -rc). Every JNA type stays in this
 * package: {@link org.hpcs.attest.tpmdevid.tss.TpmContext} takes and returns TPM structures in
 * their wire format (big-endian, as the TPM 2.0 specification part 2 marshals them), and the
 * libtss2-mu marshalling functions turn them into the C structures that ESAPI expects.
 */
package org.hpcs.attest.tpmdevid.tss;
