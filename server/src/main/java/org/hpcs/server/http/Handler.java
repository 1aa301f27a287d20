package org.hpcs.server.http;

/** Handles one route. */
@FunctionalInterface
public interface Handler {
  /**
   * Handles the request.
   *
   * @throws ApiException to answer with an error
   */
  Response handle(Request request) throws ApiException;
}
