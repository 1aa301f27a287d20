package org.hpcs.server.http;

import com.fasterxml.jackson.core.JsonParseException;
import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonMappingException;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.exc.UnrecognizedPropertyException;
import java.io.IOException;
import java.util.Locale;
import java.util.stream.Collectors;
import org.hpcs.common.api.Json;

/** Strict decoding of JSON request bodies into the API records. */
public final class JsonBody {
  private static final ObjectMapper STRICT = Json.strict();

  private JsonBody() {}

  /**
   * Decodes the body.
   *
   * @throws ApiException 415 for a content type other than JSON, 400 for an empty body, malformed
   *     JSON, an unknown field or a value of the wrong type
   */
  public static <T> T read(Request request, Class<T> type) throws ApiException {
    requireJson(request.contentType());
    if (request.body().length == 0) {
      throw ApiException.badRequest(
          "empty-body", "request body is empty: send a JSON " + type.getSimpleName() + " object");
    }
    try {
      T value = STRICT.readValue(request.body(), type);
      if (value == null) {
        throw ApiException.badRequest(
            "invalid-body",
            "request body is null: send a JSON " + type.getSimpleName() + " object");
      }
      return value;
    } catch (UnrecognizedPropertyException e) {
      String known =
          e.getKnownPropertyIds().stream()
              .map(Object::toString)
              .sorted()
              .collect(Collectors.joining(", "));
      throw ApiException.badRequest(
          "unknown-field",
          "unknown field '"
              + e.getPropertyName()
              + "' in "
              + type.getSimpleName()
              + "; allowed fields: "
              + known);
    } catch (JsonParseException e) {
      throw ApiException.badRequest(
          "malformed-json",
          "request body is not valid JSON (line "
              + e.getLocation().getLineNr()
              + ", column "
              + e.getLocation().getColumnNr()
              + ")");
    } catch (JsonMappingException e) {
      throw ApiException.badRequest(
          "invalid-field",
          "field '" + path(e) + "' of " + type.getSimpleName() + " has the wrong type or format");
    } catch (JsonProcessingException e) {
      throw ApiException.badRequest("malformed-json", "request body is not valid JSON");
    } catch (IOException e) {
      throw ApiException.badRequest("malformed-json", "cannot read the request body");
    }
  }

  /**
   * Returns the body's exact bytes, for requests whose bytes are hashed or verified as sent.
   *
   * @param expectedBody names the expected body in the message for an empty request
   * @throws ApiException 415 for a content type other than JSON, 400 for an empty body
   */
  public static byte[] bytes(Request request, String expectedBody) throws ApiException {
    requireJson(request.contentType());
    if (request.body().length == 0) {
      throw ApiException.badRequest("empty-body", "request body is empty: send " + expectedBody);
    }
    return request.body().clone();
  }

  private static void requireJson(String contentType) throws ApiException {
    String mediaType =
        contentType == null ? "" : contentType.split(";", 2)[0].strip().toLowerCase(Locale.ROOT);
    if (!mediaType.equals("application/json")) {
      throw new ApiException(
          415,
          "unsupported-media-type",
          "Content-Type '"
              + (contentType == null ? "" : contentType)
              + "' is not accepted: send Content-Type: application/json");
    }
  }

  private static String path(JsonMappingException e) {
    String path =
        e.getPath().stream()
            .map(r -> r.getFieldName() != null ? r.getFieldName() : "[" + r.getIndex() + "]")
            .collect(Collectors.joining("."));
    return path.isEmpty() ? "(root)" : path;
  }
}
