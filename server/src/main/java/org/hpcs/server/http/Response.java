package org.hpcs.server.http;

/**
 * A response.
 *
 * @param status the HTTP status
 * @param body an object written as JSON, or a String written as text
 * @param contentType the Content-Type header
 */
public record Response(int status, Object body, String contentType) {
  /** 200 with a JSON body. */
  public static Response ok(Object body) {
    return new Response(200, body, "application/json");
  }

  /** 201 with a JSON body. */
  public static Response created(Object body) {
    return new Response(201, body, "application/json");
  }

  /** 200 with a plain-text body. */
  public static Response text(String body, String contentType) {
    return new Response(200, body, contentType);
  }
}
