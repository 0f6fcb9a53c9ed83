package ai.llep.trainer.train;

/**
 * Tracking settings: {@code tracking.uri} ({@code file:./mlruns} or an MLflow server), the
 * experiment and the run name (empty: derived from the time).
 */
public record RunTracking(String uri, String experiment, String runName) {}
