package dev.starling.runtime.drift;

import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import com.fasterxml.jackson.dataformat.yaml.YAMLFactory;
import java.io.IOException;
import java.nio.file.Path;
import java.util.List;

/**
 * What {@code starling-runtime.jar profile} writes and the runtime's drift monitor reads: the
 * reference distribution of each named feature (in the model's input column order) and of the
 * model's prediction on the reference data. JSON, or YAML when the file name ends in .yaml/.yml.
 */
public record ReferenceProfile(
    String format,
    String model,
    String modelSha256,
    long rows,
    List<FeatureProfile> features,
    FeatureProfile prediction) {

  public static final String FORMAT = "starling.dev/reference-profile/v1";

  private static final ObjectMapper JSON = configure(new ObjectMapper());
  private static final ObjectMapper YAML = configure(new ObjectMapper(new YAMLFactory()));

  public ReferenceProfile {
    features = features == null ? List.of() : List.copyOf(features);
  }

  public static ReferenceProfile read(Path file) throws IOException {
    ReferenceProfile p = mapper(file).readValue(file.toFile(), ReferenceProfile.class);
    if (p == null || !FORMAT.equals(p.format())) {
      throw new IOException(
          "not a reference profile (format must be " + FORMAT + "; write one with `profile`)");
    }
    if (p.features().isEmpty()) {
      throw new IOException("the profile has no features");
    }
    return p;
  }

  public void write(Path file) throws IOException {
    mapper(file).writeValue(file.toFile(), this);
  }

  private static ObjectMapper mapper(Path file) {
    String n = file.getFileName().toString();
    return n.endsWith(".yaml") || n.endsWith(".yml") ? YAML : JSON;
  }

  private static ObjectMapper configure(ObjectMapper m) {
    return m.enable(SerializationFeature.INDENT_OUTPUT)
        .enable(DeserializationFeature.FAIL_ON_UNKNOWN_PROPERTIES);
  }
}
