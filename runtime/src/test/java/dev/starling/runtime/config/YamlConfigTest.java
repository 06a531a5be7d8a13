package dev.starling.runtime.config;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.starling.runtime.router.config.RouterConfigLoader;
import java.time.Duration;
import org.junit.jupiter.api.Test;

class YamlConfigTest {
  @Test
  void anEmptyOrCommentOnlyRuntimeYamlMeansDefaults() {
    assertThat(ConfigLoader.parse("", "runtime.yaml").server().port()).isEqualTo(8080);
    assertThat(ConfigLoader.parse("# nothing set\n", "runtime.yaml").server().port())
        .isEqualTo(8080);
  }

  @Test
  void aDuplicateKeyIsRefusedInBothConfigFiles() {
    assertThatThrownBy(() -> ConfigLoader.parse("server:\n  port: 1\n  port: 2\n", "runtime.yaml"))
        .isInstanceOf(ConfigException.class)
        .hasMessageStartingWith("runtime.yaml:")
        .hasMessageContaining("'port'");
    assertThatThrownBy(
            () -> RouterConfigLoader.parse("server:\n  port: 1\n  port: 2\n", "router.yaml"))
        .isInstanceOf(ConfigException.class)
        .hasMessageStartingWith("router.yaml:")
        .hasMessageContaining("'port'");
  }

  @Test
  void durationsAndFieldPathsShareOneSpelling() {
    assertThat(ConfigLoader.parse("server:\n  idleTimeout: 250ms\n", "r").server().idleTimeout())
        .isEqualTo(Duration.ofMillis(250));
    assertThatThrownBy(() -> ConfigLoader.parse("server:\n  idleTimeout: soon\n", "r"))
        .isInstanceOf(ConfigException.class)
        .hasMessageContaining("field 'server.idleTimeout'");
  }
}
