package dev.starling.operator.it;

import io.fabric8.kubernetes.client.http.BasicBuilder;
import io.fabric8.kubernetes.client.http.HttpRequest;
import io.fabric8.kubernetes.client.http.Interceptor;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;

/** Records every request of a client that is not a read (GET, watch): the writes it makes. */
public final class WriteCounter implements Interceptor {

  private final List<String> writes = new CopyOnWriteArrayList<>();

  @Override
  public void before(BasicBuilder builder, HttpRequest request, RequestTags tags) {
    if (!"GET".equals(request.method())) {
      writes.add(request.method() + " " + request.uri().getPath());
    }
  }

  public List<String> writes() {
    return List.copyOf(writes);
  }

  public void reset() {
    writes.clear();
  }
}
