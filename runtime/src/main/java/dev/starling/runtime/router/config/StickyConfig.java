package dev.starling.runtime.router.config;

/** Sticky assignment: requests carrying the same value of {@code header} stay on one version. */
public record StickyConfig(String header) {}
