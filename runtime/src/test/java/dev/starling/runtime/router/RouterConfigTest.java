package dev.starling.runtime.router;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.starling.runtime.cli.RouterCommand;
import dev.starling.runtime.config.ConfigException;
import dev.starling.runtime.router.config.BackendFlags;
import dev.starling.runtime.router.config.MirrorConfig;
import dev.starling.runtime.router.config.RouterConfig;
import dev.starling.runtime.router.config.RouterConfigLoader;
import dev.starling.runtime.router.config.RouterConfigValidator;
import dev.starling.runtime.router.config.VersionConfig;
import dev.starling.runtime.testing.Samples;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;
import picocli.CommandLine;

/** The router.yaml contract files bind and validate; bad configs fail naming the field. */
class RouterConfigTest {

  static Stream<Path> contractFiles() throws IOException {
    return Files.list(Samples.repoRoot().resolve("contract/router"))
        .filter(p -> p.toString().endsWith(".yaml"))
        .sorted();
  }

  @ParameterizedTest
  @MethodSource("contractFiles")
  void everyContractExampleParsesAndValidates(Path file) {
    RouterConfig c = RouterConfigValidator.validate(RouterConfigLoader.load(file));
    assertThat(c.versions()).isNotEmpty();
    // and it builds a routing table (nothing ready yet: nothing served)
    RoutingTable t = new RoutingState(c, x -> {}).table();
    assertThat(t.serving()).isFalse();
    assertThat(t.versions()).hasSameSizeAs(c.versions());
  }

  @Test
  void minimalExampleGetsTheDocumentedDefaults() {
    RouterConfig c = load("minimal.yaml");
    assertThat(c.server().port()).isEqualTo(8080);
    assertThat(c.server().maxThreads())
        .isEqualTo(Math.max(12, 4 * Runtime.getRuntime().availableProcessors()));
    assertThat(c.proxy().connectTimeout()).isEqualTo(Duration.ofSeconds(2));
    assertThat(c.proxy().requestTimeout()).isEqualTo(Duration.ofSeconds(30));
    assertThat(c.proxy().idleTimeout()).isEqualTo(Duration.ofSeconds(15));
    assertThat(c.proxy().maxConnectionsPerEndpoint()).isEqualTo(256);
    assertThat(c.health().interval()).isEqualTo(Duration.ofSeconds(1));
    assertThat(c.reloadInterval()).isEqualTo(Duration.ofSeconds(1));
    assertThat(c.resolveInterval()).isEqualTo(Duration.ofSeconds(1));
    assertThat(c.pinHeader()).isNull();
    assertThat(c.sticky()).isNull();
    assertThat(c.mirror()).isNull();
  }

  @Test
  void operatorRenderedExampleBindsEveryField() {
    RouterConfig c = load("operator-rendered.yaml");
    assertThat(c.versions())
        .containsExactly(
            new VersionConfig("v1", 90, List.of("http://fraud-v1.ml.svc:8080")),
            new VersionConfig("v2", 10, List.of("http://fraud-v2.ml.svc:8080")),
            new VersionConfig("v3", 0, List.of("http://fraud-v3.ml.svc:8080")));
    assertThat(c.pinHeader()).isEqualTo("x-starling-version");
    assertThat(c.sticky().header()).isEqualTo("x-user-id");
    assertThat(c.mirror()).isEqualTo(new MirrorConfig("v3", 20, 64, 0.05));
    assertThat(c.server().drainDelay()).isEqualTo(Duration.ofSeconds(5));
    assertThat(c.proxy().maxResponseBytes()).isEqualTo(64 * 1024 * 1024);
  }

  static Stream<Arguments> invalid() {
    String v1 = "versions: [{name: v1, weight: 100, endpoints: [http://a:1]}]\n";
    return Stream.of(
        Arguments.of("{}", "versions: at least one version is required"),
        Arguments.of(
            "versions: [{name: v1, endpoints: [http://a:1]}]", "versions[0].weight: required"),
        Arguments.of(
            "versions: [{name: v1, weight: 101, endpoints: [http://a:1]}]",
            "versions[0].weight: must be 0..100"),
        Arguments.of(
            "versions: [{name: v1, weight: 0, endpoints: [http://a:1]}]",
            "versions: every weight is 0"),
        Arguments.of("versions: [{name: v1, weight: 100}]", "versions[0].endpoints: at least one"),
        Arguments.of(
            "versions: [{name: v1, weight: 100, endpoints: [ftp://a:1]}]",
            "versions[0].endpoints[0]: 'ftp://a:1' must start with http://"),
        Arguments.of(
            "versions: [{name: v1, weight: 100, endpoints: ['https://a:1']}]",
            "versions[0].endpoints[0]: 'https://a:1': https is not supported"),
        Arguments.of(
            "versions: [{name: v1, weight: 100, endpoints: ['http://a:1/?x=1']}]",
            "versions[0].endpoints[0]: 'http://a:1/?x=1' must not have a query"),
        Arguments.of(
            "versions: [{name: 'v 1', weight: 100, endpoints: [http://a:1]}]",
            "versions[0].name: 'v 1' must match"),
        Arguments.of(
            "versions: [{name: v1, weight: 50, endpoints: [http://a:1]},"
                + " {name: v1, weight: 50, endpoints: [http://b:1]}]",
            "versions[1].name: 'v1' is also versions[0].name"),
        Arguments.of(
            "versions: [{name: v1, weight: 50, endpoints: [http://a:1]},"
                + " {name: v2, weight: 50, endpoints: [http://a:1]}]",
            "versions[1].endpoints[0]: 'http://a:1' is also versions[0].endpoints[0]"),
        Arguments.of(v1 + "mirror: {version: v9, percent: 10}", "mirror.version: 'v9' is not one"),
        Arguments.of(v1 + "mirror: {version: v1}", "mirror.percent: required"),
        Arguments.of(v1 + "mirror: {version: v1, percent: 120}", "mirror.percent: must be 0..100"),
        Arguments.of(
            v1 + "mirror: {version: v1, percent: 1, maxInflight: 0}", "mirror.maxInflight"),
        Arguments.of(v1 + "pinHeader: 'x version'", "pinHeader: 'x version' is not an HTTP header"),
        Arguments.of(v1 + "sticky: {}", "sticky.header: required"),
        Arguments.of(v1 + "proxy: {requestTimeout: 0s}", "proxy.requestTimeout: must be positive"),
        Arguments.of(v1 + "proxy: {connectTimeout: soon}", "field 'proxy.connectTimeout'"),
        Arguments.of(v1 + "health: {interval: 0ms}", "health.interval: must be positive"),
        Arguments.of(v1 + "health: {failureThreshold: 0}", "health.failureThreshold: must be"),
        Arguments.of(v1 + "server: {port: 70000}", "server.port: 70000 is not a port"),
        Arguments.of(v1 + "server: {maxThreads: 4}", "server.maxThreads: must be at least 8"),
        Arguments.of(v1 + "logging: {format: xml}", "logging.format: must be json or text"),
        Arguments.of(v1 + "resolveInterval: 10ms", "resolveInterval: must be at least 100ms"),
        Arguments.of(v1 + "weights: {v1: 100}", "unknown field 'weights'"),
        Arguments.of(
            "versions: [{name: v1, weight: 100, endpoint: [http://a:1]}]",
            "unknown field 'versions[0].endpoint'"));
  }

  @ParameterizedTest
  @MethodSource("invalid")
  void invalidConfigsNameTheField(String yaml, String message) {
    assertThatThrownBy(
            () -> RouterConfigValidator.validate(RouterConfigLoader.parse(yaml, "router.yaml")))
        .isInstanceOf(ConfigException.class)
        .hasMessageContaining(message);
  }

  @Test
  void backendFlagsBecomeVersions() {
    assertThat(BackendFlags.backend("v1=http://127.0.0.1:9001@90"))
        .isEqualTo(new VersionConfig("v1", 90, List.of("http://127.0.0.1:9001")));
    assertThat(BackendFlags.backend("v2=http://a:1,http://b:2/base@10"))
        .isEqualTo(new VersionConfig("v2", 10, List.of("http://a:1", "http://b:2/base")));
    assertThat(BackendFlags.mirror("v2@20")).isEqualTo(new MirrorConfig("v2", 20, null, null));
  }

  @ParameterizedTest
  @org.junit.jupiter.params.provider.ValueSource(
      strings = {"v1", "v1=http://a:1", "=http://a:1@5", "v1=@5", "v1=http://a:1@ninety"})
  void malformedBackendFlagsAreRejected(String flag) {
    assertThatThrownBy(() -> BackendFlags.backend(flag))
        .isInstanceOf(ConfigException.class)
        .hasMessageContaining(flag);
  }

  private static RouterConfig load(String name) {
    return RouterConfigValidator.validate(
        RouterConfigLoader.load(Samples.repoRoot().resolve("contract/router/" + name)));
  }

  @Test
  void commandLineFlagsMakeAWholeConfig() {
    RouterCommand cmd = new RouterCommand();
    new CommandLine(cmd)
        .parseArgs(
            "--port", "9090",
            "--backend", "v1=http://127.0.0.1:9001@90",
            "--backend", "v2=http://127.0.0.1:9002@10",
            "--pin-header", "x-starling-version",
            "--sticky-header", "x-user-id",
            "--mirror", "v2@20",
            "--log-format", "text");
    RouterConfig c = cmd.resolve(null);
    assertThat(c.server().port()).isEqualTo(9090);
    assertThat(c.versions())
        .containsExactly(
            new VersionConfig("v1", 90, List.of("http://127.0.0.1:9001")),
            new VersionConfig("v2", 10, List.of("http://127.0.0.1:9002")));
    assertThat(c.pinHeader()).isEqualTo("x-starling-version");
    assertThat(c.sticky().header()).isEqualTo("x-user-id");
    assertThat(c.mirror()).isEqualTo(new MirrorConfig("v2", 20, null, null));
    assertThat(c.logging().format()).isEqualTo("text");
  }

  @Test
  void commandLineFlagsAreValidatedLikeTheFile() {
    RouterCommand cmd = new RouterCommand();
    new CommandLine(cmd).parseArgs("--backend", "v1=http://127.0.0.1:9001@90", "--mirror", "v3@20");
    assertThatThrownBy(() -> cmd.resolve(null))
        .isInstanceOf(ConfigException.class)
        .hasMessageContaining("mirror.version: 'v3' is not one of versions[].name");
  }
}
