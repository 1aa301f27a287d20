package org.hpcs.common.bundle;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.charset.StandardCharsets;
import java.security.KeyPair;
import org.hpcs.common.crypto.AgeIdentity;
import org.junit.jupiter.api.Test;

class ManifestTest {
  private final KeyPair owner = Ed25519Keys.generate();
  private final BundleManifest signed =
      ManifestSigner.sign(
          BundleManifest.unsigned(
              BundleKind.DATA,
              "owner",
              "genomes",
              "2025-01-31T12:00:00Z",
              new ContentDigest("a".repeat(64), 1234),
              new ContentDigest("b".repeat(64), 1000),
              "kv-hpcs",
              AgeIdentity.generate().recipient().value()),
          owner);

  @Test
  void parse_writtenManifest_roundTripsAndVerifies() throws Exception {
    byte[] json = ManifestCodec.toJson(signed);

    BundleManifest parsed = ManifestCodec.parse(json, "m.json");
    ManifestSigner.verify(parsed, owner.getPublic(), "m.json");

    assertThat(parsed).isEqualTo(signed);
    assertThat(parsed.key().kvPath()).isEqualTo("owners/owner/bundles/" + signed.bundleId());
  }

  @Test
  void parse_unknownTopLevelField_rejectedNamingField() {
    String json = text().replaceFirst("\\{", "{\"comment\":\"hi\",");

    assertThatThrownBy(() -> ManifestCodec.parse(bytes(json), "m.json"))
        .isInstanceOf(BundleException.class)
        .hasMessageContaining("manifest m.json has unknown field \"comment\"");
  }

  @Test
  void parse_unknownNestedField_rejectedNamingField() {
    String json = text().replace("\"field\" :", "\"extra\" : 1, \"field\" :");

    assertThatThrownBy(() -> ManifestCodec.parse(bytes(json), "m.json"))
        .isInstanceOf(BundleException.class)
        .hasMessageContaining("unknown field \"extra\" in \"key\"");
  }

  @Test
  void parse_missingField_rejectedNamingField() {
    String json = text().replaceAll("\"owner\" : \"owner\",", "");

    assertThatThrownBy(() -> ManifestCodec.parse(bytes(json), "m.json"))
        .isInstanceOf(BundleException.class)
        .hasMessageContaining("\"owner\"");
  }

  @Test
  void parse_duplicateField_rejected() {
    String json = text().replaceFirst("\\{", "{\"name\":\"other\",");

    assertThatThrownBy(() -> ManifestCodec.parse(bytes(json), "m.json"))
        .isInstanceOf(BundleException.class)
        .hasMessageContaining("name");
  }

  @Test
  void parse_wrongKvPath_rejected() {
    String json = text().replace("owners/owner/bundles/", "owners/alice/bundles/");

    assertThatThrownBy(() -> ManifestCodec.parse(bytes(json), "m.json"))
        .isInstanceOf(BundleException.class)
        .hasMessageContaining("key.kvPath");
  }

  @Test
  void verify_alteredSize_invalidSignature() throws Exception {
    String json = text().replace("\"size\" : 1234", "\"size\" : 1235");
    BundleManifest parsed = ManifestCodec.parse(bytes(json), "m.json");

    assertThatThrownBy(() -> ManifestSigner.verify(parsed, owner.getPublic(), "m.json"))
        .isInstanceOf(BundleException.class)
        .hasMessageContaining("invalid signature");
  }

  @Test
  void verify_otherExpectedKey_rejected() {
    KeyPair other = Ed25519Keys.generate();

    assertThatThrownBy(() -> ManifestSigner.verify(signed, other.getPublic(), "m.json"))
        .isInstanceOf(BundleException.class)
        .hasMessageContaining("not by the expected owner key");
  }

  @Test
  void verify_resignedByAttacker_rejectedForExpectedKey() {
    BundleManifest forged = ManifestSigner.sign(signed, Ed25519Keys.generate());

    assertThatThrownBy(() -> ManifestSigner.verify(forged, owner.getPublic(), "m.json"))
        .isInstanceOf(BundleException.class);
  }

  @Test
  void signedBytes_manifest_sortedCompactWithoutSignature() {
    String canonical = new String(ManifestCodec.signedBytes(signed), StandardCharsets.UTF_8);

    assertThat(canonical)
        .startsWith("{\"bundleId\":\"" + signed.bundleId() + "\",\"ciphertext\":{");
    assertThat(canonical)
        .contains("\"ciphertext\":{\"sha256\":\"" + "a".repeat(64) + "\",\"size\":1234}");
    assertThat(canonical).doesNotContain(" ").doesNotContain("\n").doesNotContain("\"signature\"");
    assertThat(canonical).contains("\"signer\":{\"algorithm\":\"Ed25519\",\"publicKey\":");
    assertThat(canonical)
        .endsWith(
            "\"schemaVersion\":1,\"signer\":{\"algorithm\":\"Ed25519\",\"publicKey\":\""
                + Ed25519Keys.toText(owner.getPublic())
                + "\"}}");
  }

  @Test
  void writeString_controlAndQuote_escapedAsJcs() {
    StringBuilder out = new StringBuilder();

    CanonicalJson.writeString("a\"b\\c\n\u0001é", out);

    assertThat(out.toString()).isEqualTo("\"a\\\"b\\\\c\\n\\u0001é\"");
  }

  private String text() {
    return new String(ManifestCodec.toJson(signed), StandardCharsets.UTF_8);
  }

  private static byte[] bytes(String text) {
    return text.getBytes(StandardCharsets.UTF_8);
  }
}
