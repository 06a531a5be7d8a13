package dev.starling.operator;

import io.fabric8.kubernetes.client.http.BasicBuilder;
import io.fabric8.kubernetes.client.http.HttpRequest;
import io.fabric8.kubernetes.client.http.Interceptor;
import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.MeterRegistry;

/**
 * Counts the operator's API writes by HTTP method as {@code starling_operator_api_writes_total}: in
 * steady state it must not move.
 */
public final class ApiWriteMetrics implements Interceptor {

  private final MeterRegistry registry;

  public ApiWriteMetrics(MeterRegistry registry) {
    this.registry = registry;
  }

  @Override
  public void before(BasicBuilder builder, HttpRequest request, RequestTags tags) {
    if (!"GET".equals(request.method())) {
      Counter.builder("starling.operator.api.writes")
          .description("Kubernetes API requests that are not reads")
          .tag("method", request.method())
          .register(registry)
          .increment();
    }
  }
}
