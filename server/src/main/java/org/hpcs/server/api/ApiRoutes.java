package org.hpcs.server.api;

import java.util.List;
import org.hpcs.common.api.AuditList;
import org.hpcs.common.api.ChallengeRequest;
import org.hpcs.common.api.EnrolRequest;
import org.hpcs.common.api.GrantRequest;
import org.hpcs.common.api.JobEndRequest;
import org.hpcs.common.api.JobEventRequest;
import org.hpcs.common.api.JobStartRequest;
import org.hpcs.common.api.JoinTokenRequest;
import org.hpcs.server.http.ApiException;
import org.hpcs.server.http.Auth;
import org.hpcs.server.http.JsonBody;
import org.hpcs.server.http.Metrics;
import org.hpcs.server.http.Request;
import org.hpcs.server.http.Response;
import org.hpcs.server.http.Route;
import org.hpcs.server.service.BundleService;
import org.hpcs.server.service.Checks;
import org.hpcs.server.service.EnrolmentService;
import org.hpcs.server.service.GrantService;
import org.hpcs.server.service.JobService;
import org.hpcs.server.store.AuditLog;
import org.hpcs.server.store.BundleStore;

/** The API's routes; {@code docs/openapi.yaml} describes them. */
public final class ApiRoutes {
  private static final int DEFAULT_AUDIT_LIMIT = 1000;
  private static final int MAX_AUDIT_LIMIT = 10000;

  /**
   * The services behind the routes.
   *
   * @param enrolment node enrolment
   * @param bundles bundle registration
   * @param grants grants
   * @param jobs per-job key release
   * @param audit the audit log
   * @param bundleStore bundle ownership, for audit queries
   * @param metrics the metrics registry
   * @param health reports whether the backends answer
   */
  public record Services(
      EnrolmentService enrolment,
      BundleService bundles,
      GrantService grants,
      JobService jobs,
      AuditLog audit,
      BundleStore bundleStore,
      Metrics metrics,
      java.util.function.BooleanSupplier health) {}

  private ApiRoutes() {}

  /** Returns every route. */
  public static List<Route> all(Services s) {
    return List.of(
        Route.of("GET", "/healthz", Auth.NONE, r -> health(s)),
        Route.of(
            "GET",
            "/metrics",
            Auth.NONE,
            r -> Response.text(s.metrics().render(), "text/plain; version=0.0.4; charset=utf-8")),
        Route.of(
            "POST",
            "/v1/nodes/challenge",
            Auth.NONE,
            r -> Response.ok(s.enrolment().challenge(JsonBody.read(r, ChallengeRequest.class)))),
        Route.of(
            "POST",
            "/v1/nodes/enrol",
            Auth.NONE,
            r -> Response.ok(s.enrolment().enrol(JsonBody.read(r, EnrolRequest.class)))),
        Route.of(
            "POST",
            "/v1/nodes/reenrol",
            Auth.NODE,
            r -> Response.ok(s.enrolment().reenrol(r.node()))),
        Route.of(
            "POST",
            "/v1/admin/join-tokens",
            Auth.ADMIN,
            r ->
                Response.created(
                    s.enrolment()
                        .createJoinToken(r.user(), JsonBody.read(r, JoinTokenRequest.class)))),
        Route.of(
            "DELETE",
            "/v1/admin/nodes/{node}",
            Auth.ADMIN,
            r -> Response.ok(s.enrolment().revoke(r.user(), r.pathParam(0)))),
        Route.of(
            "POST",
            "/v1/admin/nodes/{node}/reinstate",
            Auth.ADMIN,
            r -> Response.ok(s.enrolment().reinstate(r.user(), r.pathParam(0)))),
        Route.of("POST", "/v1/admin/jobs/{jobId}/end", Auth.ADMIN, r -> adminEnd(s, r)),
        Route.of(
            "POST",
            "/v1/bundles",
            Auth.USER,
            r ->
                Response.created(
                    s.bundles()
                        .register(
                            r.user(),
                            JsonBody.bytes(r, "the bundle manifest <name>.manifest.json")))),
        Route.of(
            "DELETE",
            "/v1/bundles/{bundleId}",
            Auth.USER,
            r -> Response.ok(s.bundles().revoke(r.user(), r.pathParam(0)))),
        Route.of(
            "POST",
            "/v1/grants",
            Auth.USER,
            r ->
                Response.created(s.grants().grant(r.user(), JsonBody.read(r, GrantRequest.class)))),
        Route.of(
            "GET",
            "/v1/grants",
            Auth.USER,
            r ->
                Response.ok(
                    s.grants().list(r.user(), r.query().get("bundle"), r.query().get("role")))),
        Route.of(
            "DELETE",
            "/v1/grants/{grantId}",
            Auth.USER,
            r -> Response.ok(s.grants().revoke(r.user(), r.pathParam(0)))),
        Route.of(
            "POST",
            "/v1/jobs/{jobId}/start",
            Auth.NODE,
            r ->
                Response.ok(
                    s.jobs()
                        .start(r.node(), r.pathParam(0), JsonBody.read(r, JobStartRequest.class)))),
        Route.of("POST", "/v1/jobs/{jobId}/events", Auth.NODE, r -> event(s, r)),
        Route.of(
            "POST",
            "/v1/jobs/{jobId}/end",
            Auth.NODE,
            r ->
                Response.ok(
                    s.jobs().end(r.node(), r.pathParam(0), JsonBody.read(r, JobEndRequest.class)))),
        Route.of("GET", "/v1/audit", Auth.USER, r -> audit(s, r)));
  }

  private static Response health(Services s) {
    boolean healthy = s.health().getAsBoolean();
    return new Response(
        healthy ? 200 : 503,
        java.util.Map.of("status", healthy ? "ok" : "degraded"),
        "application/json");
  }

  private static Response event(Services s, Request r) throws ApiException {
    s.jobs().event(r.node(), r.pathParam(0), JsonBody.read(r, JobEventRequest.class));
    return new Response(202, java.util.Map.of("status", "recorded"), "application/json");
  }

  private static Response adminEnd(Services s, Request r) throws ApiException {
    String jobId = Checks.require("jobId", r.pathParam(0), Checks.JOB);
    boolean released = s.jobs().forceEnd(r.user().auditName(), jobId, "admin ended job " + jobId);
    return Response.ok(java.util.Map.of("jobId", jobId, "released", released));
  }

  private static Response audit(Services s, Request r) throws ApiException {
    String bundle = r.query().get("bundle");
    String job = r.query().get("job");
    if (bundle != null) {
      Checks.require("bundle", bundle, Checks.BUNDLE);
    }
    if (job != null) {
      Checks.require("job", job, Checks.JOB);
    }
    int limit = limit(r.query().get("limit"));
    List<String> visible =
        r.user().admin() ? null : s.bundleStore().idsOwnedBy(r.user().username());
    if (visible != null && bundle != null && !visible.contains(bundle)) {
      throw ApiException.forbidden(
          "not-bundle-owner", "the audit trail of bundle " + bundle + " belongs to its owner");
    }
    return Response.ok(new AuditList(s.audit().query(visible, bundle, job, limit)));
  }

  private static int limit(String text) throws ApiException {
    if (text == null) {
      return DEFAULT_AUDIT_LIMIT;
    }
    try {
      int limit = Integer.parseInt(text);
      if (limit >= 1 && limit <= MAX_AUDIT_LIMIT) {
        return limit;
      }
    } catch (NumberFormatException e) {
      // Reported below with the allowed range.
    }
    throw ApiException.badRequest(
        "invalid-field", "query parameter 'limit' must be 1.." + MAX_AUDIT_LIMIT);
  }
}
