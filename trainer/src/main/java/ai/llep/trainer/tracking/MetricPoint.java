package ai.llep.trainer.tracking;

/** One logged value of a metric: when it was logged, its value and its step. */
public record MetricPoint(long timestamp, double value, long step) {}
