package ai.llep.trainer.cli;

import ai.llep.comm.CommException;
import ai.llep.trainer.train.StoppedWithRankZero;
import org.apache.logging.log4j.LogManager;
import org.apache.logging.log4j.Logger;
import picocli.CommandLine;
import picocli.CommandLine.IExecutionExceptionHandler;
import picocli.CommandLine.ParseResult;

/**
 * Turns an exception escaping a command into one line on stderr (the launcher adds the rank), with
 * the stack trace at debug level. The exit code tells the launcher whose fault it was: {@link
 * #PEER_FAILED} when communication with another rank failed (that rank is the cause) or when this
 * rank stopped together with rank 0, which reports why (so the launcher names rank 0), 1 otherwise.
 */
final class FailureHandler implements IExecutionExceptionHandler {
  /** Exit code of a rank that failed because a peer died, closed or stopped answering. */
  static final int PEER_FAILED = 3;

  private static final Logger LOG = LogManager.getLogger(FailureHandler.class);

  @Override
  public int handleExecutionException(Exception e, CommandLine command, ParseResult parsed) {
    StringBuilder message = new StringBuilder("error: ").append(describe(e));
    for (Throwable cause = e.getCause();
        cause != null && cause != cause.getCause();
        cause = cause.getCause()) {
      message.append("\n  caused by: ").append(describe(cause));
    }
    System.err.println(message);
    System.err.flush();
    LOG.debug("stack trace", e);
    return e instanceof CommException || e instanceof StoppedWithRankZero ? PEER_FAILED : 1;
  }

  private static String describe(Throwable t) {
    String text = t.getMessage();
    return text == null || text.isBlank() ? t.getClass().getSimpleName() : text;
  }
}
