package org.hpcs.server.http;

import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.LongAdder;
import java.util.function.LongSupplier;
import org.HdrHistogram.ConcurrentHistogram;

/** Request counters, latency summaries and gauges in the Prometheus text format. */
public final class Metrics {
  private static final long MAX_MICROS = TimeUnit.MINUTES.toMicros(5);

  /**
   * Methods recorded under their own label. Any other method text, which the client chooses, is
   * recorded as "other", so that it can neither add series without bound nor break the text format.
   */
  private static final Set<String> METHODS =
      Set.of("GET", "HEAD", "POST", "PUT", "DELETE", "PATCH", "OPTIONS");

  private final Map<String, LongAdder> requests = new ConcurrentHashMap<>();
  private final Map<String, ConcurrentHistogram> latency = new ConcurrentHashMap<>();
  private final Map<String, Gauge> gauges = new ConcurrentHashMap<>();

  private record Gauge(String help, LongSupplier value) {}

  /** Records one finished request. */
  public void record(String route, String method, int status, long nanos) {
    String label = METHODS.contains(method) ? method : "other";
    String key = "route=\"" + route + "\",method=\"" + label + "\"";
    requests.computeIfAbsent(key + ",status=\"" + status + "\"", k -> new LongAdder()).increment();
    long micros = Math.min(Math.max(1, TimeUnit.NANOSECONDS.toMicros(nanos)), MAX_MICROS);
    latency.computeIfAbsent(key, k -> new ConcurrentHistogram(MAX_MICROS, 3)).recordValue(micros);
  }

  /** Registers a gauge read at each scrape. */
  public void gauge(String name, String help, LongSupplier value) {
    gauges.put(name, new Gauge(help, value));
  }

  /** Renders every metric. */
  public String render() {
    StringBuilder out = new StringBuilder();
    out.append("# HELP hpcs_http_requests_total HTTP requests by route, method and status.\n");
    out.append("# TYPE hpcs_http_requests_total counter\n");
    new TreeMap<>(requests)
        .forEach(
            (k, v) ->
                out.append("hpcs_http_requests_total{")
                    .append(k)
                    .append("} ")
                    .append(v.sum())
                    .append('\n'));
    out.append("# HELP hpcs_http_request_duration_seconds HTTP request latency.\n");
    out.append("# TYPE hpcs_http_request_duration_seconds summary\n");
    new TreeMap<>(latency).forEach((k, h) -> summary(out, k, h.copy()));
    new TreeMap<>(gauges)
        .forEach(
            (name, gauge) -> {
              out.append("# HELP ").append(name).append(' ').append(gauge.help()).append('\n');
              out.append("# TYPE ").append(name).append(" gauge\n");
              out.append(name).append(' ').append(gauge.value().getAsLong()).append('\n');
            });
    return out.toString();
  }

  private static void summary(StringBuilder out, String labels, org.HdrHistogram.Histogram h) {
    String name = "hpcs_http_request_duration_seconds";
    for (double q : new double[] {0.5, 0.9, 0.99}) {
      out.append(name)
          .append('{')
          .append(labels)
          .append(",quantile=\"")
          .append(q)
          .append("\"} ")
          .append(seconds(h.getValueAtPercentile(q * 100)))
          .append('\n');
    }
    double sum = h.getMean() * h.getTotalCount();
    out.append(name)
        .append("_sum{")
        .append(labels)
        .append("} ")
        .append(seconds((long) sum))
        .append('\n');
    out.append(name)
        .append("_count{")
        .append(labels)
        .append("} ")
        .append(h.getTotalCount())
        .append('\n');
  }

  private static String seconds(long micros) {
    return Double.toString(micros / 1_000_000.0);
  }
}
