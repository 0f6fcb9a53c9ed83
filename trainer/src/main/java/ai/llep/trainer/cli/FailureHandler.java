package ai.llep.trainer.cli;

import org.apache.logging.log4j.LogManager;
import org.apache.logging.log4j.Logger;
import picocli.CommandLine;
import picocli.CommandLine.IExecutionExceptionHandler;
import picocli.CommandLine.ParseResult;

/**
 * Turns an exception escaping a command into one line on stderr (the launcher adds the rank), with
 * the stack trace at debug level, and exit code 1.
 */
final class FailureHandler implements IExecutionExceptionHandler {
  private static final Logger LOG = LogManager.getLogger(FailureHandler.class);

  @Override
  public int handleExecutionException(Exception e, CommandLine command, ParseResult parsed) {
    StringBuilder message = new StringBuilder("error: ").append(describe(e));
    for (Throwable cause = e.getCause(); cause != null && cause != cause.getCause(); cause = cause.getCause()) {
      message.append("\n  caused by: ").append(describe(cause));
    }
    System.err.println(message);
    System.err.flush();
    LOG.debug("stack trace", e);
    return 1;
  }

  private static String describe(Throwable t) {
    String text = t.getMessage();
    return text == null || text.isBlank() ? t.getClass().getSimpleName() : text;
  }
}
