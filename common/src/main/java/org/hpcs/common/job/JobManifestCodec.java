package org.hpcs.common.job;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonMappingException;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.exc.MismatchedInputException;
import com.fasterxml.jackson.databind.exc.UnrecognizedPropertyException;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import org.hpcs.common.api.Json;

/**
 * Reads and writes job manifests. Reading is strict: unknown, duplicate, missing, null or mistyped
 * fields are rejected with a message that names the field, and the values are then checked by
 * {@link JobManifestValidator}.
 */
public final class JobManifestCodec {
  /** Maximum job manifest size in bytes, the same limit as the SPANK plugin applies. */
  public static final int MAX_BYTES = 64 * 1024;

  private static final ObjectMapper MAPPER = Json.strictDocuments().build();

  private JobManifestCodec() {}

  /**
   * Reads and validates a job manifest file.
   *
   * @throws JobManifestException if the file is larger than {@value #MAX_BYTES} bytes, not JSON, or
   *     a field is unknown, missing or invalid
   * @throws IOException if the file cannot be read
   */
  public static JobManifest read(Path file) throws JobManifestException, IOException {
    byte[] json;
    try (InputStream in = Files.newInputStream(file)) {
      json = in.readNBytes(MAX_BYTES + 1);
    }
    if (json.length > MAX_BYTES) {
      throw new JobManifestException(
          "job manifest %s is larger than %d bytes; a job manifest only lists bundle manifest paths"
              .formatted(file, MAX_BYTES));
    }
    return parse(json, file.toString());
  }

  /**
   * Parses and validates job manifest JSON.
   *
   * @param source the manifest's name for messages, such as its path
   * @throws JobManifestException if the text is larger than {@value #MAX_BYTES} bytes, not JSON, or
   *     a field is unknown, missing or invalid
   */
  public static JobManifest parse(byte[] json, String source) throws JobManifestException {
    if (json.length > MAX_BYTES) {
      throw new JobManifestException(
          "job manifest %s is %d bytes, more than the %d allowed"
              .formatted(source, json.length, MAX_BYTES));
    }
    JobManifest manifest;
    try {
      manifest = MAPPER.readValue(json, JobManifest.class);
    } catch (UnrecognizedPropertyException e) {
      throw new JobManifestException(
          "job manifest %s has unknown field \"%s\"; schema version %d has only schemaVersion, image and data"
              .formatted(source, e.getPropertyName(), JobManifest.SCHEMA_VERSION),
          e);
    } catch (MismatchedInputException e) {
      throw new JobManifestException(
          "job manifest %s: field \"%s\" is missing, null or of the wrong type"
              .formatted(source, fieldPath(e)),
          e);
    } catch (JsonProcessingException e) {
      throw new JobManifestException(
          "job manifest %s is not valid JSON: %s".formatted(source, e.getOriginalMessage()), e);
    } catch (IOException e) {
      throw new JobManifestException("job manifest %s cannot be parsed".formatted(source), e);
    }
    if (manifest == null) {
      throw new JobManifestException(
          "job manifest %s is JSON null; expected an object".formatted(source));
    }
    JobManifestValidator.validate(manifest, source);
    return manifest;
  }

  /**
   * Returns the manifest as indented JSON with a final line feed.
   *
   * @throws JobManifestException if a value is invalid
   */
  public static byte[] toJson(JobManifest manifest) throws JobManifestException {
    JobManifestValidator.validate(manifest, "to be written");
    try {
      return (MAPPER.writeValueAsString(manifest) + "\n").getBytes(StandardCharsets.UTF_8);
    } catch (JsonProcessingException e) {
      throw new IllegalStateException("job manifest records always serialise", e);
    }
  }

  private static String fieldPath(JsonMappingException e) {
    String path = Json.fieldPath(e);
    return path.isEmpty() ? "(root)" : path;
  }
}
