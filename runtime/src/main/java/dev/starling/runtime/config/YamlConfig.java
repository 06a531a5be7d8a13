package dev.starling.runtime.config;

import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.StreamReadFeature;
import com.fasterxml.jackson.databind.DeserializationContext;
import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.JsonDeserializer;
import com.fasterxml.jackson.databind.JsonMappingException;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.exc.UnrecognizedPropertyException;
import com.fasterxml.jackson.databind.module.SimpleModule;
import com.fasterxml.jackson.dataformat.yaml.YAMLFactory;
import java.io.IOException;
import java.time.Duration;
import java.util.stream.Collectors;

/**
 * The strict YAML reading shared by every Starling config file ({@code runtime.yaml}, {@code
 * router.yaml}): unknown fields, nulls for numbers and duplicate keys are errors, durations are
 * written as {@code 250ms}/{@code 2s}/{@code 5m}, and every error message names the field as a path
 * such as {@code models[0].source.uri}.
 */
public final class YamlConfig {
  private static final ObjectMapper MAPPER = createMapper();

  private YamlConfig() {}

  /** Parses {@code yaml} into {@code type}; null for an empty (or comments-only) document. */
  public static <T> T parse(String yaml, Class<T> type, String sourceName) {
    try (JsonParser parser = MAPPER.createParser(yaml)) {
      if (parser.nextToken() == null) {
        return null;
      }
      return MAPPER.readValue(parser, type);
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

  private static ObjectMapper createMapper() {
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
    // Duplicate keys: DUP_TREE_KEY covers tree reads only; records are bound from the stream, so
    // the parser itself must refuse a key it has seen in the same mapping.
    YAMLFactory yaml =
        YAMLFactory.builder().enable(StreamReadFeature.STRICT_DUPLICATE_DETECTION).build();
    return new ObjectMapper(yaml)
        .registerModule(durations)
        .enable(DeserializationFeature.FAIL_ON_UNKNOWN_PROPERTIES)
        .enable(DeserializationFeature.FAIL_ON_NULL_FOR_PRIMITIVES)
        .enable(DeserializationFeature.FAIL_ON_READING_DUP_TREE_KEY);
  }
}
