package dev.starling.operator;

import io.fabric8.kubernetes.client.Config;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.KubernetesClientBuilder;
import io.fabric8.kubernetes.client.http.Interceptor;
import io.fabric8.kubernetes.client.utils.TokenRefreshInterceptor;

/**
 * Builds the operator's Kubernetes client: fabric8's defaults, a write counter, and no token
 * refresh when the configuration holds no token or password to refresh.
 *
 * <p>Why: fabric8's {@link TokenRefreshInterceptor} reads the whole configuration again (kubeconfig
 * file, environment) before a request once a minute has passed since it last found a token. With a
 * client certificate and no token (the test world's kubeconfig: how developers, the integration
 * tests and {@code bench/operator} run the operator) it never finds one, so from the second minute
 * on every request parsed the kubeconfig again - 15 % of the operator's CPU samples while it
 * created 200 ModelDeployments (async-profiler, bench/operator/profile.sh). What it would find is
 * of no use anyway: the interceptor only ever takes a token from it. In a cluster the
 * ServiceAccount token is there, so it is still refreshed (bound tokens expire).
 */
public final class OperatorClient {

  /** Stands in for fabric8's refresh: adds no header (there is no token or password to send). */
  private static final Interceptor NO_TOKEN_REFRESH = new Interceptor() {};

  private OperatorClient() {}

  /**
   * A client for {@code config}; {@code writes} sees every request (see {@link ApiWriteMetrics}).
   */
  public static KubernetesClient build(Config config, Interceptor writes) {
    return new KubernetesClientBuilder()
        .withConfig(config)
        .withHttpClientBuilderConsumer(
            b -> {
              b.addOrReplaceInterceptor("writes", writes);
              if (!hasCredentialsToRefresh(config)) {
                b.addOrReplaceInterceptor(TokenRefreshInterceptor.NAME, NO_TOKEN_REFRESH);
              }
            })
        .build();
  }

  /**
   * Whether fabric8's token interceptor has work to do for {@code config}: it sends a token or a
   * user name and password (it also writes their header), or gets tokens from a provider.
   */
  static boolean hasCredentialsToRefresh(Config config) {
    return config.getOauthToken() != null
        || config.getAutoOAuthToken() != null
        || config.getOauthTokenProvider() != null
        || config.getAuthProvider() != null
        || config.getUsername() != null
        || config.getPassword() != null;
  }
}
