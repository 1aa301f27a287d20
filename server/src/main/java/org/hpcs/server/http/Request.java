package org.hpcs.server.http;

import java.util.List;
import java.util.Map;

/**
 * A request after routing and authentication.
 *
 * @param method the HTTP method
 * @param path the request path
 * @param pathParams values captured by the route pattern, in order
 * @param query query parameters (first value of each)
 * @param contentType the Content-Type header, or null
 * @param body the body bytes, at most the configured limit
 * @param caller the authenticated caller
 */
// The bytes are read once and never shared beyond the request, so no defensive copy.
@SuppressWarnings("ArrayRecordComponent")
public record Request(
    String method,
    String path,
    List<String> pathParams,
    Map<String, String> query,
    String contentType,
    byte[] body,
    Caller caller) {
  /** Returns the captured path parameter at the index. */
  public String pathParam(int index) {
    return pathParams.get(index);
  }

  /** Returns the caller as a node, or throws when the route is not a node route. */
  public Caller.Node node() {
    return (Caller.Node) caller;
  }

  /** Returns the caller as a user, or throws when the route is not a user route. */
  public Caller.User user() {
    return (Caller.User) caller;
  }
}
