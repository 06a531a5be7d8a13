package dev.starling.operator;

import static org.assertj.core.api.Assertions.assertThat;

import io.fabric8.kubernetes.api.model.AuthProviderConfig;
import io.fabric8.kubernetes.client.Config;
import io.fabric8.kubernetes.client.ConfigBuilder;
import java.util.function.UnaryOperator;
import java.util.stream.Stream;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

class OperatorClientTest {

  static Stream<Arguments> configs() {
    return Stream.of(
        Arguments.of("client certificate only", (UnaryOperator<ConfigBuilder>) b -> b, false),
        Arguments.of(
            "bearer token", (UnaryOperator<ConfigBuilder>) b -> b.withOauthToken("t"), true),
        Arguments.of(
            "ServiceAccount token (in a cluster)",
            (UnaryOperator<ConfigBuilder>) b -> b.withAutoOAuthToken("sa"),
            true),
        Arguments.of(
            "token provider",
            (UnaryOperator<ConfigBuilder>) b -> b.withOauthTokenProvider(() -> "p"),
            true),
        Arguments.of(
            "OIDC auth provider",
            (UnaryOperator<ConfigBuilder>) b -> b.withAuthProvider(new AuthProviderConfig()),
            true),
        Arguments.of(
            "user name and password",
            (UnaryOperator<ConfigBuilder>) b -> b.withUsername("u").withPassword("p"),
            true));
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource("configs")
  void tokenRefreshStaysOnlyWhereThereIsATokenOrPassword(
      String why, UnaryOperator<ConfigBuilder> auth, boolean refresh) {
    Config config =
        auth.apply(
                new ConfigBuilder(Config.empty())
                    .withMasterUrl("https://127.0.0.1:6443")
                    .withClientCertData("Y2VydA==")
                    .withClientKeyData("a2V5"))
            .build();
    assertThat(OperatorClient.hasCredentialsToRefresh(config)).as(why).isEqualTo(refresh);
  }
}
