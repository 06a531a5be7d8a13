package dev.starling.runtime.config;

import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.databind.DeserializationContext;
import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.JsonDeserializer;
import com.fasterxml.jackson.databind.JsonMappingException;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.exc.UnrecognizedPropertyException;
import com.fasterxml.jackson.databind.module.SimpleModule;
import com.fasterxml.jackson.dataformat.yaml.YAMLFactory;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.stream.Collectors;

/** Reads {@code runtime.yaml} into a {@link RuntimeConfig}; every error names the field. */
public final class ConfigLoader {
  private static final ObjectMapper YAML = mapper();

  private ConfigLoader() {}

  public static RuntimeConfig load(Path file) {
    if (!Files.isRegularFile(file)) {
      throw new ConfigException("config file " + file + " does not exist");
    }
    try {
      return parse(Files.readString(file), file.toString());
    } catch (IOException e) {
      throw new ConfigException("cannot read config file " + file + ": " + e.getMessage(), e);
    }
  }

  public static RuntimeConfig parse(String yaml, String sourceName) {
    try {
      RuntimeConfig config = YAML.readValue(yaml, RuntimeConfig.class);
      if (config == null) {
        config = new RuntimeConfig(null, null, null, null, null);
      }
      return config;
    } catch (UnrecognizedPropertyException e) {
      throw new ConfigException(
          sourceName + ": unknown field '" + path(e) + "' (known here: " + known(e) + ")", e);
    } catch (JsonMappingException e) {
      throw new ConfigException(
          sourceName + ": field '" + path(e) + "': " + e.getOriginalMessage(), e);
    } catch (IOException e) {
      throw new ConfigException(sourceName + ": not valid YAML: " + e.getMessage(), e);
    }
  }

  private static String known(UnrecognizedPropertyException e) {
    return e.getKnownPropertyIds().stream()
        .map(Object::toString)
        .sorted()
        .collect(Collectors.joining(", "));
  }

  /** Renders Jackson's reference chain as {@code models[0].source.uri}. */
  static String path(JsonMappingException e) {
    StringBuilder sb = new StringBuilder();
    for (JsonMappingException.Reference ref : e.getPath()) {
      if (ref.getFieldName() != null) {
        if (!sb.isEmpty()) {
          sb.append('.');
        }
        sb.append(ref.getFieldName());
      } else if (ref.getIndex() >= 0) {
        sb.append('[').append(ref.getIndex()).append(']');
      }
    }
    return sb.toString();
  }

  private static ObjectMapper mapper() {
    SimpleModule durations = new SimpleModule("starling-durations");
    durations.addDeserializer(
        Duration.class,
        new JsonDeserializer<>() {
          @Override
          public Duration deserialize(JsonParser p, DeserializationContext ctx) throws IOException {
            try {
              return Durations.parse(p.getValueAsString());
            } catch (IllegalArgumentException e) {
              throw JsonMappingException.from(p, e.getMessage());
            }
          }
        });
    return new ObjectMapper(new YAMLFactory())
        .registerModule(durations)
        .enable(DeserializationFeature.FAIL_ON_UNKNOWN_PROPERTIES)
        .enable(DeserializationFeature.FAIL_ON_NULL_FOR_PRIMITIVES)
        .enable(DeserializationFeature.FAIL_ON_READING_DUP_TREE_KEY);
  }
}
