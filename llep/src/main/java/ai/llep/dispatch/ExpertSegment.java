package ai.llep.dispatch;

/** {@code rows} consecutive received rows (after grouping) that expert {@code expert} computes. */
record ExpertSegment(int expert, long rows) {}
