package ai.llep.dispatch;

/**
 * Told, on the dispatching thread, as each phase of a dispatcher's forward starts: {@code count},
 * {@code plan}, {@code dispatch}, {@code weights} (the loans are posted), {@code experts}, {@code
 * combine}, {@code unpermute}, then {@code done}. Device work of a phase may still be queued when
 * the next starts.
 */
@FunctionalInterface
public interface DispatchPhases {
  DispatchPhases NONE = phase -> {};

  void enter(String phase);
}
