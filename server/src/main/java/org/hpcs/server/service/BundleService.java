package org.hpcs.server.service;

import java.security.PublicKey;
import java.time.Clock;
import java.util.Optional;
import org.hpcs.common.api.BundleInfo;
import org.hpcs.common.bundle.BundleException;
import org.hpcs.common.bundle.BundleManifest;
import org.hpcs.common.bundle.Ed25519Keys;
import org.hpcs.common.bundle.ManifestCodec;
import org.hpcs.common.bundle.ManifestSigner;
import org.hpcs.common.crypto.Sha256;
import org.hpcs.server.http.ApiException;
import org.hpcs.server.http.Caller;
import org.hpcs.server.store.AuditRecord;
import org.hpcs.server.store.BundleRecord;
import org.hpcs.server.store.BundleStore;

/** Registration and revocation of bundles by their owners. */
public final class BundleService {
  private static final String SOURCE = "sent to POST /v1/bundles";

  private final BundleStore bundles;
  private final Auditor auditor;
  private final Clock clock;
  private final String kvMount;

  /**
   * Creates the service.
   *
   * @param kvMount the KV version 2 mount of bundle keys; manifests must name this mount
   */
  public BundleService(BundleStore bundles, Auditor auditor, Clock clock, String kvMount) {
    this.bundles = bundles;
    this.auditor = auditor;
    this.clock = clock;
    this.kvMount = kvMount;
  }

  /**
   * Registers a bundle from the exact bytes of its signed manifest ({@code <name>.manifest.json}).
   * The manifest is parsed strictly, the caller must be its owner, it must name the server's KV
   * mount, its signature must verify with its {@code signer} key, and that key must be the one
   * pinned for the owner (the key of the owner's first registration).
   */
  public BundleInfo register(Caller.User caller, byte[] manifestJson) throws ApiException {
    BundleManifest manifest = parse(manifestJson);
    String bundleId = Checks.require("bundleId", manifest.bundleId(), Checks.BUNDLE);
    String owner = Checks.require("owner", manifest.owner(), Checks.USER);
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
                  + caller.username()
                  + ": register bundles you created while logged in as yourself"),
          context);
    }
    checkMount(manifest);
    String signerKey = verifySignature(manifest, context);
    checkPinnedKey(owner, bundleId, signerKey, context);
    return store(info(manifest, manifestJson), signerKey, context);
  }

  private static BundleManifest parse(byte[] manifestJson) throws ApiException {
    try {
      return ManifestCodec.parse(manifestJson, SOURCE);
    } catch (BundleException e) {
      throw ApiException.badRequest("invalid-manifest", e.getMessage());
    }
  }

  private void checkMount(BundleManifest manifest) throws ApiException {
    if (!manifest.key().kvMount().equals(kvMount)) {
      throw ApiException.badRequest(
          "key-mount-mismatch",
          "manifest of bundle "
              + manifest.bundleId()
              + " stores its key in mount "
              + manifest.key().kvMount()
              + " but this server releases keys from mount "
              + kvMount
              + ": set vault.kv.mount="
              + kvMount
              + " in the client configuration and create the bundle again");
    }
  }

  /** Verifies the signature with the manifest's own signer key and returns that key as text. */
  private String verifySignature(BundleManifest manifest, AuditRecord context) throws ApiException {
    try {
      PublicKey signer = Ed25519Keys.fromText(manifest.signer().publicKey(), SOURCE);
      ManifestSigner.verify(manifest, signer, "of bundle " + manifest.bundleId());
      return Ed25519Keys.toText(signer);
    } catch (BundleException e) {
      throw auditor.deny(ApiException.forbidden("signature-invalid", e.getMessage()), context);
    }
  }

  private void checkPinnedKey(String owner, String bundleId, String signerKey, AuditRecord context)
      throws ApiException {
    Optional<String> pinned = bundles.ownerKey(owner);
    if (pinned.isPresent() && !pinned.get().equals(signerKey)) {
      throw auditor.deny(
          ApiException.forbidden(
              "signing-key-mismatch",
              "manifest of bundle "
                  + bundleId
                  + " is signed with key "
                  + signerKey
                  + ", not with key "
                  + pinned.get()
                  + " pinned for owner "
                  + owner
                  + ": sign with your registered key"),
          context);
    }
  }

  private BundleInfo info(BundleManifest manifest, byte[] manifestJson) {
    return new BundleInfo(
        manifest.bundleId(),
        manifest.owner(),
        Sha256.of(manifestJson).hex(),
        manifest.ciphertext().sha256(),
        manifest.ciphertext().size(),
        manifest.key().kvMount(),
        manifest.key().kvPath(),
        manifest.outputRecipient(),
        clock.instant());
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
                  + " is already registered with another manifest: create a new bundle"
                  + " with hpcs bundle create"),
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
}
