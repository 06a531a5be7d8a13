package dev.starling.runtime.router.config;

import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.databind.DeserializationContext;
import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.JsonDeserializer;
import com.fasterxml.jackson.databind.JsonMappingException;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.exc.UnrecognizedPropertyException;
import com.fasterxml.jackson.databind.module.SimpleModule;
import com.fasterxml.jackson.dataformat.yaml.YAMLFactory;
import dev.starling.runtime.config.ConfigException;
import dev.starling.runtime.config.Durations;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.stream.Collectors;

/**
 * Reads {@code router.yaml} into a {@link RouterConfig}; every error names the field. Same rules as
 * {@code runtime.yaml}'s loader: unknown fields, nulls for numbers and duplicate keys are errors.
 */
public final class RouterConfigLoader {
  private static final ObjectMapper YAML = mapper();

  private RouterConfigLoader() {}

  public static RouterConfig load(Path file) {
    return parse(read(file), file.toString());
  }

  /** The file's bytes (the reloader compares them to see a change). */
  public static byte[] read(Path file) {
    if (!Files.isRegularFile(file)) {
      throw new ConfigException("config file " + file + " does not exist");
    }
    try {
      return Files.readAllBytes(file);
    } catch (IOException e) {
      throw new ConfigException("cannot read config file " + file + ": " + e.getMessage(), e);
    }
  }

  public static RouterConfig parse(byte[] yaml, String sourceName) {
    return parse(new String(yaml, StandardCharsets.UTF_8), sourceName);
  }

  public static RouterConfig parse(String yaml, String sourceName) {
    try {
      RouterConfig config = YAML.readValue(yaml, RouterConfig.class);
      return config == null ? RouterConfig.empty() : config;
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

  /** Renders Jackson's reference chain as {@code versions[0].endpoints}. */
  private static String path(JsonMappingException e) {
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
