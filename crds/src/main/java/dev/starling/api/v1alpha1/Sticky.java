package dev.starling.api.v1alpha1;

import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.annotation.JsonPropertyDescription;
import io.fabric8.generator.annotation.Pattern;
import io.fabric8.generator.annotation.Required;
import io.fabric8.generator.annotation.Size;
import java.util.Objects;

/** Sticky routing: requests with the same key header stay on one version while weights hold. */
@JsonInclude(JsonInclude.Include.NON_NULL)
public class Sticky {

  @Required
  @Size(min = 1, max = 64)
  @Pattern("^[A-Za-z0-9][A-Za-z0-9-]*$")
  @JsonPropertyDescription("Request header whose value is the caller's key (e.g. 'x-user-id').")
  private String header;

  public Sticky() {}

  public Sticky(String header) {
    this.header = header;
  }

  public String getHeader() {
    return header;
  }

  public void setHeader(String header) {
    this.header = header;
  }

  @Override
  public boolean equals(Object o) {
    return o instanceof Sticky s && Objects.equals(header, s.header);
  }

  @Override
  public int hashCode() {
    return Objects.hashCode(header);
  }
}
