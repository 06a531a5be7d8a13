package dev.starling.api.v1alpha1;

/** The duration syntax the CRD accepts, shared by every duration field. */
final class Durations {

  /** A whole number with a unit, e.g. 500ms, 2s, 10m, 1h: what the runtime and CEL both read. */
  static final String PATTERN = "^[0-9]{1,9}(ms|s|m|h)$";

  static final String SYNTAX = " Written as a number with a unit: ms, s, m or h (e.g. 2ms, 10m).";

  private Durations() {}
}
