package ai.llep.aten;

/**
 * Reads libtorch's report of a failed stable-ABI call out of captured standard error. libtorch
 * before 2.13 logs {@code [E<time> shim_common.cpp:<line>] Exception in aoti_torch: <message>},
 * where the message of a {@code c10::Error} continues with {@code Exception raised from ...} and a
 * backtrace ending in a blank line.
 *
 * @param message libtorch's message without the backtrace; null when the text holds no report
 * @param rest everything else that was captured (other writers' output), to hand back to stderr
 */
record LibTorchLog(String message, String rest) {
  static final String MARKER = "Exception in aoti_torch: ";
  private static final String BACKTRACE = "\nException raised from ";

  static LibTorchLog parse(String text) {
    int marker = text.indexOf(MARKER);
    if (marker < 0) {
      return new LibTorchLog(null, text);
    }
    int lineStart = text.lastIndexOf('\n', marker) + 1;
    int messageStart = marker + MARKER.length();
    int backtrace = text.indexOf(BACKTRACE, messageStart);
    int messageEnd;
    int recordEnd;
    if (backtrace >= 0) {
      messageEnd = backtrace;
      int blank = text.indexOf("\n\n", backtrace);
      recordEnd = blank < 0 ? text.length() : blank + 2;
    } else {
      messageEnd = text.length();
      recordEnd = text.length();
    }
    String message = text.substring(messageStart, messageEnd).strip();
    String rest = text.substring(0, lineStart) + text.substring(recordEnd);
    return new LibTorchLog(message, rest);
  }
}
