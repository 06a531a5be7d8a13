package dev.starling.operator.it;

import java.util.Map;
import org.junit.jupiter.api.extension.ExtensionContext;
import org.junit.jupiter.api.extension.ParameterContext;
import org.junit.jupiter.api.extension.ParameterResolver;

/**
 * Gives a test the {@link TestWorld} and a fresh {@link TestNamespace} (deleted after the test).
 * Annotate a namespace parameter with {@link Restricted} for Pod Security "restricted".
 */
public final class TestWorldExtension implements ParameterResolver {

  private static final ExtensionContext.Namespace STORE =
      ExtensionContext.Namespace.create(TestWorldExtension.class);

  @Override
  public boolean supportsParameter(ParameterContext p, ExtensionContext e) {
    Class<?> type = p.getParameter().getType();
    return type == TestWorld.class || type == TestNamespace.class;
  }

  @Override
  public Object resolveParameter(ParameterContext p, ExtensionContext e) {
    TestWorld world = TestWorld.get();
    if (p.getParameter().getType() == TestWorld.class) {
      return world;
    }
    Map<String, String> labels =
        p.isAnnotated(Restricted.class)
            ? Map.of(
                "pod-security.kubernetes.io/enforce", "restricted",
                "pod-security.kubernetes.io/enforce-version", "latest")
            : Map.of();
    TestNamespace ns = new TestNamespace(world, e.getRequiredTestClass().getSimpleName(), labels);
    e.getStore(STORE).put(ns.name(), ns); // closed, so deleted, when the test ends
    return ns;
  }
}
