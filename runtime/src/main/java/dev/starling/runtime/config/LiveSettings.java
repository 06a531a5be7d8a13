package dev.starling.runtime.config;

import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.function.Consumer;

/**
 * The configuration a running server is using right now. A reloaded {@code runtime.yaml} is handed
 * to {@link #apply}, which tells every part that re-applies settings live (access control, the
 * in-flight bound); request paths read {@link #get} once per request, so a request sees either the
 * old settings or the new ones, never a mix.
 */
public final class LiveSettings {
  private volatile RuntimeConfig current;
  private final List<Consumer<RuntimeConfig>> listeners = new CopyOnWriteArrayList<>();

  public LiveSettings(RuntimeConfig initial) {
    this.current = initial;
  }

  public RuntimeConfig get() {
    return current;
  }

  /** Calls {@code listener} with every config applied from now on (not the current one). */
  public void onChange(Consumer<RuntimeConfig> listener) {
    listeners.add(listener);
  }

  /** Makes {@code next} current, then tells the listeners, in the order they registered. */
  public void apply(RuntimeConfig next) {
    current = next;
    for (Consumer<RuntimeConfig> l : listeners) {
      l.accept(next);
    }
  }
}
