package ai.llep.dispatch;

/**
 * Told, on the dispatching thread, as each phase of a dispatcher's forward starts: {@code count},
 * {@code plan}, {@code dispatch}, {@code weights} (the loans are posted), {@code experts}, {@code
 * combine}, {@code unpermute}, then {@code done} ({@code plan}, {@code experts}, {@code unpermute},
 * {@code done} for one rank computing every expert in one grouped call, which neither counts on the
 * host nor exchanges). Device work of a phase may still be queued when the next starts.
 */
@FunctionalInterface
public interface DispatchPhases {
  DispatchPhases NONE = phase -> {};

  void enter(String phase);
}
