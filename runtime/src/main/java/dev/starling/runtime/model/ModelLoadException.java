package dev.starling.runtime.model;

/** A model could not be fetched, verified or loaded; the message says which and why. */
public class ModelLoadException extends RuntimeException {
  public ModelLoadException(String message) {
    super(message);
  }

  public ModelLoadException(String message, Throwable cause) {
    super(message, cause);
  }
}
