package org.hpcs.common.bundle;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.charset.StandardCharsets;
import java.security.KeyPair;
import org.hpcs.common.crypto.AgeIdentity;
import org.junit.jupiter.api.Test;

/**
 * Manifest JSON that only a hostile or broken writer produces: each must be rejected, because two
 * different documents that parse to the same signed content would make the signature ambiguous.
 */
class ManifestStrictnessTest {
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
  void parse_numberForStringField_rejectedNamingField() {
    String json = text().replace("\"name\" : \"genomes\"", "\"name\" : 123");

    assertThatThrownBy(() -> ManifestCodec.parse(bytes(json), "m.json"))
        .isInstanceOf(BundleException.class)
        .hasMessageContaining("\"name\"");
  }

  @Test
  void parse_booleanForStringField_rejectedNamingField() {
    String json = text().replace("\"name\" : \"genomes\"", "\"name\" : true");

    assertThatThrownBy(() -> ManifestCodec.parse(bytes(json), "m.json"))
        .isInstanceOf(BundleException.class)
        .hasMessageContaining("\"name\"");
  }

  @Test
  void parse_stringForNumberField_rejectedNamingField() {
    String json = text().replace("\"size\" : 1234", "\"size\" : \"1234\"");

    assertThatThrownBy(() -> ManifestCodec.parse(bytes(json), "m.json"))
        .isInstanceOf(BundleException.class)
        .hasMessageContaining("ciphertext.size");
  }

  @Test
  void parse_moreThan64KibOfWhitespace_rejectedNamingLimit() {
    String json = text().replaceFirst("\\{", "{" + " ".repeat(70_000));

    assertThatThrownBy(() -> ManifestCodec.parse(bytes(json), "m.json"))
        .isInstanceOf(BundleException.class)
        .hasMessageContaining("more than the 65536 allowed");
  }

  @Test
  void parse_secondDocumentAfterObject_rejectedAsTrailingContent() {
    String json = text() + "{}";

    assertThatThrownBy(() -> ManifestCodec.parse(bytes(json), "m.json"))
        .isInstanceOf(BundleException.class)
        .hasMessageContaining("one JSON object")
        .hasMessageNotContaining("field \"\"");
  }

  @Test
  void parse_arrayInsteadOfObject_rejectedAsNotObject() {
    assertThatThrownBy(() -> ManifestCodec.parse(bytes("[1]"), "m.json"))
        .isInstanceOf(BundleException.class)
        .hasMessageContaining("one JSON object")
        .hasMessageNotContaining("field \"\"");
  }

  @Test
  void parse_unicodeEscapesOfSameText_sameSignedBytes() throws Exception {
    String json = text().replace("\"owner\" : \"owner\"", "\"owner\" : \"\\u006fwner\"");

    BundleManifest parsed = ManifestCodec.parse(bytes(json), "m.json");
    ManifestSigner.verify(parsed, owner.getPublic(), "m.json");

    assertThat(ManifestCodec.signedBytes(parsed)).isEqualTo(ManifestCodec.signedBytes(signed));
  }

  private String text() {
    return new String(ManifestCodec.toJson(signed), StandardCharsets.UTF_8);
  }

  private static byte[] bytes(String text) {
    return text.getBytes(StandardCharsets.UTF_8);
  }
}
