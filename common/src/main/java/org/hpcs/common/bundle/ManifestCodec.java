package org.hpcs.common.bundle;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonMappingException;
import com.fasterxml.jackson.databind.MapperFeature;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.exc.InvalidFormatException;
import com.fasterxml.jackson.databind.exc.MismatchedInputException;
import com.fasterxml.jackson.databind.exc.UnrecognizedPropertyException;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import org.hpcs.common.api.Json;

/**
 * Reads and writes manifest JSON. Reading is strict: unknown, duplicate, missing or mistyped fields
 * are rejected with a message that names the field, and the values are then checked by {@link
 * ManifestValidator}.
 */
public final class ManifestCodec {
  /** Largest manifest accepted, in bytes; real manifests are about 1 KiB. */
  static final int MAX_MANIFEST_BYTES = 64 * 1024;

  private static final ObjectMapper MAPPER =
      Json.strictDocuments().enable(MapperFeature.SORT_PROPERTIES_ALPHABETICALLY).build();

  private ManifestCodec() {}

  /**
   * Reads and validates a manifest file (the signature is not checked here).
   *
   * @throws BundleException if the file is too large, not JSON, or a field is unknown, missing or
   *     invalid
   */
  public static BundleManifest read(Path file) throws BundleException, IOException {
    long size = Files.size(file);
    if (size > MAX_MANIFEST_BYTES) {
      throw new BundleException(
          "manifest %s is %d bytes, more than the %d allowed; pass the .manifest.json file written by hpcs bundle create"
              .formatted(file, size, MAX_MANIFEST_BYTES));
    }
    return parse(Files.readAllBytes(file), file.toString());
  }

  /**
   * Parses and validates manifest JSON (the signature is not checked here).
   *
   * @param source the manifest's name for messages
   * @throws BundleException if a field is unknown, missing, mistyped or invalid
   */
  public static BundleManifest parse(byte[] json, String source) throws BundleException {
    if (json.length > MAX_MANIFEST_BYTES) {
      throw new BundleException(
          "manifest %s is %d bytes, more than the %d allowed; pass the .manifest.json file written by hpcs bundle create"
              .formatted(source, json.length, MAX_MANIFEST_BYTES));
    }
    BundleManifest manifest;
    try {
      manifest = MAPPER.readValue(json, BundleManifest.class);
    } catch (UnrecognizedPropertyException e) {
      throw new BundleException(
          "manifest %s has unknown field \"%s\"%s; schema version %d knows only the documented fields, so the manifest was written by another tool or altered"
              .formatted(source, e.getPropertyName(), location(e), BundleManifest.SCHEMA_VERSION),
          e);
    } catch (InvalidFormatException e) {
      throw new BundleException(
          "manifest %s has an invalid value %s for field \"%s\""
              .formatted(source, e.getValue(), Json.fieldPath(e)),
          e);
    } catch (MismatchedInputException e) {
      if (e.getPath().isEmpty()) {
        throw new BundleException(
            "manifest %s is not one JSON object with nothing after it: %s"
                .formatted(source, e.getOriginalMessage()),
            e);
      }
      throw new BundleException(
          "manifest %s: field \"%s\" is missing, null or of the wrong type"
              .formatted(source, Json.fieldPath(e)),
          e);
    } catch (JsonProcessingException e) {
      throw new BundleException(
          "manifest %s is not valid JSON: %s".formatted(source, e.getOriginalMessage()), e);
    } catch (IOException e) {
      throw new BundleException("manifest %s cannot be parsed".formatted(source), e);
    }
    ManifestValidator.validate(manifest, source);
    return manifest;
  }

  /** Returns the manifest as indented JSON with sorted keys and a final line feed. */
  public static byte[] toJson(BundleManifest manifest) {
    try {
      String text = MAPPER.writeValueAsString(manifest) + "\n";
      return text.getBytes(StandardCharsets.UTF_8);
    } catch (JsonProcessingException e) {
      throw new IllegalStateException("manifest records always serialise", e);
    }
  }

  /** Returns the canonical bytes that the signature covers: every field except "signature". */
  public static byte[] signedBytes(BundleManifest manifest) {
    ObjectNode tree = MAPPER.valueToTree(manifest);
    tree.remove("signature");
    return CanonicalJson.encode(tree);
  }

  private static String location(JsonMappingException e) {
    String path = Json.fieldPath(e);
    int dot = path.lastIndexOf('.');
    return dot < 0 ? "" : " in \"" + path.substring(0, dot) + "\"";
  }
}
