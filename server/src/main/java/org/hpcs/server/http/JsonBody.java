package org.hpcs.server.http;

import com.fasterxml.jackson.core.JsonParseException;
import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.core.JsonToken;
import com.fasterxml.jackson.core.exc.StreamConstraintsException;
import com.fasterxml.jackson.databind.DeserializationContext;
import com.fasterxml.jackson.databind.JsonMappingException;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.cfg.CoercionAction;
import com.fasterxml.jackson.databind.cfg.CoercionInputShape;
import com.fasterxml.jackson.databind.deser.std.StdDeserializer;
import com.fasterxml.jackson.databind.exc.UnrecognizedPropertyException;
import com.fasterxml.jackson.databind.module.SimpleModule;
import com.fasterxml.jackson.databind.type.LogicalType;
import com.fasterxml.jackson.datatype.jsr310.deser.InstantDeserializer;
import java.io.IOException;
import java.time.Instant;
import java.util.List;
import java.util.Locale;
import java.util.stream.Collectors;
import org.hpcs.common.api.Json;

/** Strict decoding of JSON request bodies into the API records. */
public final class JsonBody {
  private static final ObjectMapper STRICT = requestMapper();

  private JsonBody() {}

  /**
   * Returns {@link Json#strict()} with stricter coercions. It rejects a string for a number or a
   * boolean (which Json documents but does not configure), a number or a boolean for a text field
   * (Jackson would read {@code "user": true} as the user name "true"), and a number for a
   * timestamp. Jackson reads such a number as epoch seconds, so the milliseconds that a JavaScript
   * client sends would set a date tens of thousands of years ahead.
   */
  private static ObjectMapper requestMapper() {
    ObjectMapper mapper = Json.strict();
    mapper
        .coercionConfigFor(LogicalType.Textual)
        .setCoercion(CoercionInputShape.Integer, CoercionAction.Fail)
        .setCoercion(CoercionInputShape.Float, CoercionAction.Fail)
        .setCoercion(CoercionInputShape.Boolean, CoercionAction.Fail);
    for (LogicalType type : List.of(LogicalType.Integer, LogicalType.Float, LogicalType.Boolean)) {
      mapper.coercionConfigFor(type).setCoercion(CoercionInputShape.String, CoercionAction.Fail);
    }
    mapper.registerModule(
        new SimpleModule("iso-instants").addDeserializer(Instant.class, new IsoInstants()));
    return mapper;
  }

  /**
   * Reads an instant from an ISO-8601 string with a year from 0000 to 9999 (RFC 3339). The JSR-310
   * reader also takes numbers, and years beyond 9999 that overflow the stores' epoch milliseconds.
   */
  private static final class IsoInstants extends StdDeserializer<Instant> {
    private static final long serialVersionUID = 1L;
    private static final Instant MIN = Instant.parse("0000-01-01T00:00:00Z");
    private static final Instant MAX = Instant.parse("9999-12-31T23:59:59.999999999Z");

    IsoInstants() {
      super(Instant.class);
    }

    @Override
    public Instant deserialize(JsonParser parser, DeserializationContext context)
        throws IOException {
      if (!parser.hasToken(JsonToken.VALUE_STRING)) {
        return (Instant) context.handleUnexpectedToken(Instant.class, parser);
      }
      Instant instant = InstantDeserializer.INSTANT.deserialize(parser, context);
      if (instant != null && (instant.isBefore(MIN) || instant.isAfter(MAX))) {
        return (Instant)
            context.handleWeirdStringValue(
                Instant.class, parser.getText(), "year outside 0000..9999 (RFC 3339)");
      }
      return instant;
    }
  }

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
    } catch (StreamConstraintsException e) {
      throw tooComplex(e);
    } catch (JsonMappingException e) {
      if (e.getCause() instanceof StreamConstraintsException limit) {
        throw tooComplex(limit);
      }
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

  /**
   * Reports valid JSON beyond the parser's limits (nesting depth, number or string length), which
   * is no request this API defines. Jackson's message names the limit and the value found.
   */
  private static ApiException tooComplex(StreamConstraintsException e) {
    String detail = e.getOriginalMessage().replaceAll(", from `[^`]*`", "");
    return ApiException.badRequest(
        "json-too-complex",
        "request body exceeds a JSON parser limit: " + detail + "; send the documented request");
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
