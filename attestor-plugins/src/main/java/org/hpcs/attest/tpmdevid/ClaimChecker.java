package org.hpcs.attest.tpmdevid;

import java.security.cert.CertPathBuilderException;
import java.security.cert.CertificateParsingException;
import java.security.cert.X509Certificate;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collection;
import java.util.List;
import java.util.Set;
import javax.naming.InvalidNameException;
import javax.naming.ldap.LdapName;
import javax.naming.ldap.Rdn;
import org.hpcs.attest.AttestationException;

/** Checks a node's claim against the site configuration, before any TPM round trip. */
final class ClaimChecker {
  private static final int DNS_NAME = 2;
  private static final int DEVID_REQUIRED =
      TpmPublicArea.FIXED_TPM
          | TpmPublicArea.FIXED_PARENT
          | TpmPublicArea.SENSITIVE_DATA_ORIGIN
          | TpmPublicArea.SIGN;
  private static final int EK_REQUIRED =
      TpmPublicArea.FIXED_TPM
          | TpmPublicArea.FIXED_PARENT
          | TpmPublicArea.RESTRICTED
          | TpmPublicArea.DECRYPT;

  private final TpmDevIdVerifierConfig config;

  ClaimChecker(TpmDevIdVerifierConfig config) {
    this.config = config;
  }

  void check(DevIdClaim claim, String nodeName) throws AttestationException {
    checkDevIdChain(claim);
    checkNodeName(claim.devIdCertificate(), nodeName);
    checkDevIdKey(claim);
    checkEndorsementKey(claim, nodeName);
  }

  private void checkDevIdChain(DevIdClaim claim) throws AttestationException {
    X509Certificate leaf = claim.devIdCertificate();
    List<X509Certificate> intermediates = new ArrayList<>(config.devIdIntermediates());
    intermediates.addAll(claim.devIdChain().subList(1, claim.devIdChain().size()));
    try {
      Pkix.validate(leaf, intermediates, config.devIdAnchors());
    } catch (CertPathBuilderException e) {
      throw new AttestationException(
          TpmDevIdReasons.DEVID_CHAIN_INVALID,
          "DevID certificate "
              + leaf.getSubjectX500Principal()
              + " issued by "
              + leaf.getIssuerX500Principal()
              + " does not chain to the site DevID CA ("
              + e.getMessage()
              + "); issue the node's DevID certificate from the CA in "
              + TpmDevIdVerifierConfig.DEVID_CA,
          e);
    }
  }

  /** The node name must be the certificate's subject CN or one of its DNS names. */
  private static void checkNodeName(X509Certificate certificate, String nodeName)
      throws AttestationException {
    if (names(certificate).contains(nodeName)) {
      return;
    }
    throw new AttestationException(
        TpmDevIdReasons.DEVID_NODE_MISMATCH,
        "DevID certificate "
            + certificate.getSubjectX500Principal()
            + " does not name node "
            + nodeName
            + " as its subject CN or a DNS name; issue a DevID certificate for this node");
  }

  private static Set<String> names(X509Certificate certificate) {
    List<String> names = new ArrayList<>();
    try {
      for (Rdn rdn : new LdapName(certificate.getSubjectX500Principal().getName()).getRdns()) {
        if (rdn.getType().equalsIgnoreCase("CN")) {
          names.add(rdn.getValue().toString());
        }
      }
      Collection<List<?>> alternatives = certificate.getSubjectAlternativeNames();
      if (alternatives != null) {
        for (List<?> alternative : alternatives) {
          if (alternative.get(0) instanceof Integer type && type == DNS_NAME) {
            names.add(alternative.get(1).toString());
          }
        }
      }
    } catch (InvalidNameException | CertificateParsingException e) {
      return Set.of();
    }
    return Set.copyOf(names);
  }

  private static void checkDevIdKey(DevIdClaim claim) throws AttestationException {
    TpmPublicArea key = claim.devIdPublic();
    boolean shape =
        key.type() == TpmPublicArea.ALG_ECC
            && key.nameAlg() == TpmPublicArea.ALG_SHA256
            && key.hasAttributes(DEVID_REQUIRED)
            && (key.attributes() & TpmPublicArea.DECRYPT) == 0;
    if (!shape) {
      throw new AttestationException(
          TpmDevIdReasons.DEVID_KEY_ATTRIBUTES,
          "DevID key public area has attributes 0x"
              + Integer.toHexString(key.attributes())
              + "; a DevID key must be an ECC P-256 signing key with fixedTPM, fixedParent and"
              + " sensitiveDataOrigin, created inside the TPM by the provisioning command");
    }
    byte[] certified = claim.devIdCertificate().getPublicKey().getEncoded();
    if (!Arrays.equals(certified, key.publicKey().getEncoded())) {
      throw new AttestationException(
          TpmDevIdReasons.DEVID_KEY_MISMATCH,
          "DevID certificate "
              + claim.devIdCertificate().getSubjectX500Principal()
              + " certifies another key than the TPM's DevID key "
              + claim.devIdNameHex()
              + "; issue the certificate for the public key that provisioning wrote");
    }
  }

  private void checkEndorsementKey(DevIdClaim claim, String nodeName) throws AttestationException {
    TpmPublicArea ek = claim.ekPublic();
    boolean shape =
        ek.type() == TpmPublicArea.ALG_RSA
            && ek.nameAlg() == TpmPublicArea.ALG_SHA256
            && ek.symmetricAlg() == TpmPublicArea.ALG_AES
            && ek.symmetricKeyBits() == 128
            && ek.symmetricMode() == TpmPublicArea.ALG_CFB
            && ek.hasAttributes(EK_REQUIRED);
    if (!shape) {
      throw new AttestationException(
          TpmDevIdReasons.EK_UNSUPPORTED,
          "endorsement key of node "
              + nodeName
              + " is not an RSA restricted decryption key with SHA-256 names and AES-128-CFB;"
              + " only the default RSA 2048 EK (template L-1) is supported");
    }
    String ekHash = claim.ekSha256();
    if (config.ekAllowList().isPresent() && !config.ekAllowList().get().contains(ekHash)) {
      throw new AttestationException(
          TpmDevIdReasons.EK_NOT_ALLOWED,
          "endorsement key "
              + ekHash
              + " of node "
              + nodeName
              + " is not in "
              + TpmDevIdVerifierConfig.EK_ALLOW_LIST
              + "; add it if this TPM belongs to the node");
    }
    if (config.ekAnchors().isPresent()) {
      checkEkCertificate(claim, nodeName);
    }
  }

  private void checkEkCertificate(DevIdClaim claim, String nodeName) throws AttestationException {
    if (claim.ekCertificate().isEmpty()) {
      throw new AttestationException(
          TpmDevIdReasons.EK_CERTIFICATE_MISSING,
          "node "
              + nodeName
              + " sent no EK certificate, but "
              + TpmDevIdVerifierConfig.EK_CA
              + " requires one; check the node's ek-cert-nv-index setting");
    }
    X509Certificate certificate = claim.ekCertificate().get();
    try {
      Pkix.validate(certificate, config.ekIntermediates(), config.ekAnchors().orElseThrow());
    } catch (CertPathBuilderException e) {
      throw new AttestationException(
          TpmDevIdReasons.EK_CERTIFICATE_INVALID,
          "EK certificate of node "
              + nodeName
              + " issued by "
              + certificate.getIssuerX500Principal()
              + " does not chain to a manufacturer CA in "
              + TpmDevIdVerifierConfig.EK_CA
              + " ("
              + e.getMessage()
              + ")",
          e);
    }
    byte[] certified = certificate.getPublicKey().getEncoded();
    if (!Arrays.equals(certified, claim.ekPublic().publicKey().getEncoded())) {
      throw new AttestationException(
          TpmDevIdReasons.EK_CERTIFICATE_MISMATCH,
          "EK certificate of node " + nodeName + " certifies another key than its endorsement key");
    }
  }
}
