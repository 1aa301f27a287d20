package org.hpcs.server.http;

import java.util.regex.Pattern;

/**
 * One API route.
 *
 * @param method the HTTP method
 * @param pattern the path pattern; groups capture path parameters
 * @param name the route label in metrics, for example {@code /v1/jobs/{jobId}/start}
 * @param auth the required authentication
 * @param handler the handler
 */
public record Route(String method, Pattern pattern, String name, Auth auth, Handler handler) {
  /** Creates a route from a template whose {@code {name}} parts match one path segment. */
  public static Route of(String method, String template, Auth auth, Handler handler) {
    String regex = template.replaceAll("\\{[a-zA-Z]+}", "([^/]+)");
    return new Route(method, Pattern.compile(regex), template, auth, handler);
  }
}
