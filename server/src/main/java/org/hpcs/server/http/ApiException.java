package org.hpcs.server.http;

/**
 * A request is answered with an error. The status and code go to the client unchanged, so the
 * message must name the value at fault and the fix, and must never contain a secret.
 */
public class ApiException extends Exception {
  private static final long serialVersionUID = 1L;

  private final int status;
  private final String code;

  /** Creates the exception. */
  public ApiException(int status, String code, String message) {
    super(message);
    this.status = status;
    this.code = code;
  }

  /** Returns the HTTP status. */
  public int status() {
    return status;
  }

  /** Returns the stable error code, also used as the audit reason. */
  public String code() {
    return code;
  }

  /** 400: the request is malformed. */
  public static ApiException badRequest(String code, String message) {
    return new ApiException(400, code, message);
  }

  /** 401: the caller is not authenticated. */
  public static ApiException unauthorized(String code, String message) {
    return new ApiException(401, code, message);
  }

  /** 403: the caller is authenticated but not allowed. */
  public static ApiException forbidden(String code, String message) {
    return new ApiException(403, code, message);
  }

  /** 404: the named object does not exist. */
  public static ApiException notFound(String code, String message) {
    return new ApiException(404, code, message);
  }

  /** 409: the request conflicts with the stored state. */
  public static ApiException conflict(String code, String message) {
    return new ApiException(409, code, message);
  }

  /** 503: a backing service (database, Vault, SPIRE) failed. */
  public static ApiException unavailable(String code, String message) {
    return new ApiException(503, code, message);
  }
}
