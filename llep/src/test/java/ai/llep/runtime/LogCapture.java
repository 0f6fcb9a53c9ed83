package ai.llep.runtime;

import java.time.Duration;
import java.util.List;
import java.util.UUID;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.function.Predicate;
import org.apache.logging.log4j.Level;
import org.apache.logging.log4j.LogManager;
import org.apache.logging.log4j.core.LogEvent;
import org.apache.logging.log4j.core.LoggerContext;
import org.apache.logging.log4j.core.appender.AbstractAppender;
import org.apache.logging.log4j.core.config.Configuration;
import org.apache.logging.log4j.core.config.LoggerConfig;
import org.apache.logging.log4j.core.config.Property;

/**
 * Collects WARN and ERROR log lines (as "LEVEL message") while open, and DEBUG and INFO lines too
 * from the one logger named, if any.
 */
public final class LogCapture implements AutoCloseable {
  private final List<String> lines = new CopyOnWriteArrayList<>();
  private final LoggerContext context = (LoggerContext) LogManager.getContext(false);
  private final AbstractAppender appender;
  private final String debugLogger;

  public LogCapture() {
    this(null);
  }

  /** Also collects the DEBUG lines of {@code source}'s logger. */
  public static LogCapture withDebugOf(Class<?> source) {
    return new LogCapture(source.getName());
  }

  private LogCapture(String debugLogger) {
    this.debugLogger = debugLogger;
    appender =
        new AbstractAppender(
            "capture-" + UUID.randomUUID(), null, null, true, Property.EMPTY_ARRAY) {
          @Override
          public void append(LogEvent event) {
            lines.add(event.getLevel() + " " + event.getMessage().getFormattedMessage());
          }
        };
    appender.start();
    Configuration config = context.getConfiguration();
    config.getRootLogger().addAppender(appender, Level.WARN, null);
    if (debugLogger != null) {
      // Not additive: the root would collect this logger's WARN lines a second time.
      LoggerConfig debug = new LoggerConfig(debugLogger, Level.DEBUG, false);
      debug.addAppender(appender, Level.DEBUG, null);
      config.addLogger(debugLogger, debug);
    }
    context.updateLoggers();
  }

  public List<String> lines() {
    return List.copyOf(lines);
  }

  /** Waits up to {@code timeout} for a line matching {@code match}; returns it or null. */
  public String await(Predicate<String> match, Duration timeout) throws InterruptedException {
    long deadline = System.nanoTime() + timeout.toNanos();
    while (true) {
      for (String line : lines) {
        if (match.test(line)) {
          return line;
        }
      }
      if (System.nanoTime() > deadline) {
        return null;
      }
      Thread.sleep(10);
    }
  }

  @Override
  public void close() {
    if (debugLogger != null) {
      context.getConfiguration().removeLogger(debugLogger);
    }
    context.getConfiguration().getRootLogger().removeAppender(appender.getName());
    context.updateLoggers();
    appender.stop();
  }
}
