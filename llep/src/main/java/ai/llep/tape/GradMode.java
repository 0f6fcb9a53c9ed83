package ai.llep.tape;

import ai.djl.pytorch.jni.JniUtils;

/**
 * Turns autograd recording on for the current thread and restores the previous mode on close. Used
 * instead of DJL's GradientCollector, which allows only one collector per JVM at a time and so
 * cannot serve several ranks in one process (tests) or nested scopes.
 */
public final class GradMode implements AutoCloseable {
  private final boolean previous;

  private GradMode(boolean enabled) {
    previous = JniUtils.isGradMode();
    JniUtils.setGradMode(enabled);
  }

  public static GradMode enabled() {
    return new GradMode(true);
  }

  public static GradMode disabled() {
    return new GradMode(false);
  }

  /** Whether the current thread records operations for autograd. */
  public static boolean isEnabled() {
    return JniUtils.isGradMode();
  }

  @Override
  public void close() {
    JniUtils.setGradMode(previous);
  }
}
