package org.hpcs.server.service;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.security.GeneralSecurityException;
import java.security.KeyFactory;
import java.security.MessageDigest;
import java.security.PublicKey;
import java.security.Signature;
import java.security.spec.X509EncodedKeySpec;
import java.time.Clock;
import java.util.ArrayList;
import java.util.Base64;
import java.util.HexFormat;
import java.util.List;
import java.util.Optional;
import org.hpcs.common.api.BundleInfo;
import org.hpcs.common.api.BundleRegistration;
import org.hpcs.common.api.Json;
import org.hpcs.server.http.ApiException;
import org.hpcs.server.http.Caller;
import org.hpcs.server.store.AuditRecord;
import org.hpcs.server.store.BundleRecord;
import org.hpcs.server.store.BundleStore;

/** Registration and revocation of bundles by their owners. */
public final class BundleService {
  private static final int MAX_RECIPIENTS = 16;

  private final BundleStore bundles;
  private final Auditor auditor;
  private final Clock clock;
  private final ObjectMapper json = Json.lenient();

  /** Creates the service. */
  public BundleService(BundleStore bundles, Auditor auditor, Clock clock) {
    this.bundles = bundles;
    this.auditor = auditor;
    this.clock = clock;
  }

  /**
   * Registers a bundle from its signed manifest. The caller must be the manifest's owner, and the
   * signature must verify with the owner's pinned key (the first key an owner registers with).
   */
  public BundleInfo register(Caller.User caller, BundleRegistration registration)
      throws ApiException {
    byte[] manifest = base64("manifest", registration.manifest());
    byte[] signature = base64("signature", registration.signature());
    String publicKeyText = Checks.text("publicKey", registration.publicKey(), 1024);
    PublicKey publicKey = ed25519(base64("publicKey", publicKeyText));
    JsonNode fields = parseManifest(manifest);
    String bundleId =
        Checks.require("manifest.bundleId", fields.path("bundleId").asText(null), Checks.BUNDLE);
    String owner = Checks.require("manifest.owner", fields.path("owner").asText(null), Checks.USER);
    List<String> recipients = recipients(fields.path("ownerRecipients"));
    AuditRecord context =
        AuditRecord.allowed(caller.auditName(), "bundle.register", "").bundle(bundleId);

    if (!owner.equals(caller.username())) {
      throw auditor.deny(
          ApiException.forbidden(
              "owner-mismatch",
              "manifest of bundle "
                  + bundleId
                  + " names owner "
                  + owner
                  + " but the caller is "
                  + caller.username()),
          context);
    }
    if (!verifies(publicKey, manifest, signature)) {
      throw auditor.deny(
          ApiException.forbidden(
              "signature-invalid", "manifest signature of bundle " + bundleId + " does not verify"),
          context);
    }
    Optional<String> pinned = bundles.ownerKey(owner);
    if (pinned.isPresent() && !pinned.get().equals(publicKeyText)) {
      throw auditor.deny(
          ApiException.forbidden(
              "signing-key-mismatch",
              "manifest of bundle "
                  + bundleId
                  + " is signed with a key other than the one pinned"
                  + " for owner "
                  + owner
                  + ": sign with your registered key"),
          context);
    }
    return store(
        new BundleInfo(bundleId, owner, sha256Hex(manifest), recipients, clock.instant()),
        publicKeyText,
        context);
  }

  private BundleInfo store(BundleInfo info, String publicKey, AuditRecord context)
      throws ApiException {
    if (!bundles.register(info, publicKey)) {
      BundleRecord existing = bundles.find(info.bundleId()).orElseThrow();
      if (existing.info().owner().equals(info.owner())
          && existing.info().manifestSha256().equals(info.manifestSha256())) {
        return existing.info();
      }
      throw auditor.deny(
          ApiException.conflict(
              "bundle-exists",
              "bundle "
                  + info.bundleId()
                  + " is already registered with another manifest: choose a"
                  + " new bundle identifier"),
          context);
    }
    auditor.allowed(
        new AuditRecord(
            context.actor(),
            "bundle.register",
            "allowed",
            null,
            info.bundleId(),
            null,
            null,
            "bundle " + info.bundleId() + " registered, manifest sha256 " + info.manifestSha256()));
    return info;
  }

  /** Revokes a bundle: no job gets its key afterwards. */
  public BundleInfo revoke(Caller.User caller, String bundleIdText) throws ApiException {
    String bundleId = Checks.require("bundleId", bundleIdText, Checks.BUNDLE);
    AuditRecord context =
        AuditRecord.allowed(caller.auditName(), "bundle.revoke", "").bundle(bundleId);
    BundleRecord bundle = ownedBundle(caller, bundleId, context);
    if (bundles.revoke(bundleId, clock.instant())) {
      auditor.allowed(
          new AuditRecord(
              caller.auditName(),
              "bundle.revoke",
              "allowed",
              null,
              bundleId,
              null,
              null,
              "bundle " + bundleId + " revoked"));
    }
    return bundle.info();
  }

  /** Returns the bundle when the caller owns it, or denies with an audit record. */
  BundleRecord ownedBundle(Caller.User caller, String bundleId, AuditRecord context)
      throws ApiException {
    Optional<BundleRecord> bundle = bundles.find(bundleId);
    if (bundle.isEmpty()) {
      throw ApiException.notFound("bundle-unknown", "bundle " + bundleId + " is not registered");
    }
    if (!bundle.get().info().owner().equals(caller.username())) {
      throw auditor.deny(
          ApiException.forbidden(
              "not-bundle-owner", "bundle " + bundleId + " belongs to another owner"),
          context);
    }
    return bundle.get();
  }

  private static byte[] base64(String field, String value) throws ApiException {
    if (value == null || value.isEmpty()) {
      throw ApiException.badRequest("missing-field", "field '" + field + "' is required");
    }
    try {
      return Base64.getDecoder().decode(value);
    } catch (IllegalArgumentException e) {
      throw ApiException.badRequest("invalid-field", "field '" + field + "' is not base64");
    }
  }

  private static PublicKey ed25519(byte[] encoded) throws ApiException {
    try {
      return KeyFactory.getInstance("Ed25519").generatePublic(new X509EncodedKeySpec(encoded));
    } catch (GeneralSecurityException e) {
      throw ApiException.badRequest(
          "invalid-field", "field 'publicKey' is not an Ed25519 SubjectPublicKeyInfo");
    }
  }

  private static boolean verifies(PublicKey key, byte[] manifest, byte[] signature) {
    try {
      Signature verifier = Signature.getInstance("Ed25519");
      verifier.initVerify(key);
      verifier.update(manifest);
      return verifier.verify(signature);
    } catch (GeneralSecurityException e) {
      return false;
    }
  }

  private JsonNode parseManifest(byte[] manifest) throws ApiException {
    try {
      JsonNode node = json.readTree(manifest);
      if (node == null || !node.isObject()) {
        throw ApiException.badRequest("invalid-manifest", "manifest is not a JSON object");
      }
      return node;
    } catch (IOException e) {
      throw ApiException.badRequest("invalid-manifest", "manifest is not valid JSON");
    }
  }

  private static List<String> recipients(JsonNode node) throws ApiException {
    List<String> recipients = new ArrayList<>();
    if (node.isMissingNode() || node.isNull()) {
      return recipients;
    }
    if (!node.isArray() || node.size() > MAX_RECIPIENTS) {
      throw ApiException.badRequest(
          "invalid-manifest",
          "manifest field 'ownerRecipients' must be an array of at most "
              + MAX_RECIPIENTS
              + " age recipients");
    }
    for (JsonNode recipient : node) {
      String text = recipient.asText("");
      if (!text.matches("age1[0-9a-z]{20,200}")) {
        throw ApiException.badRequest(
            "invalid-manifest",
            "manifest field 'ownerRecipients' holds a value that is not an age"
                + " X25519 recipient (age1...)");
      }
      recipients.add(text);
    }
    return recipients;
  }

  static String sha256Hex(byte[] bytes) {
    try {
      return HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(bytes));
    } catch (GeneralSecurityException e) {
      throw new IllegalStateException("SHA-256 missing from the JDK", e);
    }
  }
}
