package ai.llep.trainer.train;

/**
 * The {@code profile} section: which steps run with phase timing.
 *
 * @param firstStep first profiled step (1-based); 0 with {@code lastStep} 0 when off
 * @param lastStep last profiled step, at least {@code firstStep}
 */
public record ProfileOptions(long firstStep, long lastStep) {
  /** No step profiled. */
  public static final ProfileOptions OFF = new ProfileOptions(0, 0);

  public ProfileOptions {
    if (firstStep < 0 || lastStep < firstStep || (firstStep == 0) != (lastStep == 0)) {
      throw new IllegalArgumentException(
          "profile.steps must be empty, N or FIRST-LAST with 1 <= FIRST <= LAST, got "
              + firstStep
              + "-"
              + lastStep);
    }
  }

  /**
   * {@code profile.steps}: empty (off), {@code N}, or {@code FIRST-LAST}.
   *
   * @throws IllegalArgumentException naming the key when the text is none of those
   */
  public static ProfileOptions parse(String steps) {
    String text = steps.strip();
    if (text.isEmpty()) {
      return OFF;
    }
    String[] ends = text.split("-", -1);
    try {
      long first = Long.parseLong(ends[0].strip());
      long last = ends.length == 2 ? Long.parseLong(ends[1].strip()) : first;
      if (ends.length <= 2 && first >= 1 && last >= first) {
        return new ProfileOptions(first, last);
      }
    } catch (NumberFormatException e) {
      // reported below with the accepted forms
    }
    throw new IllegalArgumentException(
        "profile.steps = \""
            + steps
            + "\" is not empty, N or FIRST-LAST with 1 <= FIRST <= LAST (for example \"3-4\")");
  }

  public boolean enabled() {
    return firstStep > 0;
  }

  public boolean covers(long step) {
    return enabled() && step >= firstStep && step <= lastStep;
  }
}
