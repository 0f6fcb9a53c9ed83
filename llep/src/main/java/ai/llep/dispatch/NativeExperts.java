package ai.llep.dispatch;

import java.util.List;

/**
 * The experts a rank owns during one forward: a list of separate experts, or a stack whose
 * per-expert views are made on first use (so that they are in this forward's graph).
 */
final class NativeExperts {
  private final int firstExpert;
  private final List<ExpertWeights> list;
  private final ExpertStack stack;
  private final ExpertWeights[] views;

  private NativeExperts(int firstExpert, List<ExpertWeights> list, ExpertStack stack) {
    this.firstExpert = firstExpert;
    this.list = list;
    this.stack = stack;
    this.views = stack == null ? null : new ExpertWeights[stack.size()];
  }

  static NativeExperts of(int firstExpert, List<ExpertWeights> experts) {
    return new NativeExperts(firstExpert, experts, null);
  }

  static NativeExperts of(int firstExpert, ExpertStack stack) {
    return new NativeExperts(firstExpert, null, stack);
  }

  int firstExpert() {
    return firstExpert;
  }

  int count() {
    return stack == null ? list.size() : stack.size();
  }

  /** How many experts can run in batches: the stack's size, or 0 for separate experts. */
  int stackedCount() {
    return stack == null ? 0 : stack.size();
  }

  ExpertStack stack() {
    return stack;
  }

  ExpertWeights expert(int local) {
    if (stack == null) {
      return list.get(local);
    }
    if (views[local] == null) {
      views[local] = stack.expert(local);
    }
    return views[local];
  }
}
