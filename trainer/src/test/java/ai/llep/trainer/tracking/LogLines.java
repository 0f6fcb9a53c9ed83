package ai.llep.trainer.tracking;

import java.util.List;
import java.util.UUID;
import java.util.concurrent.CopyOnWriteArrayList;
import org.apache.logging.log4j.Level;
import org.apache.logging.log4j.LogManager;
import org.apache.logging.log4j.core.LogEvent;
import org.apache.logging.log4j.core.LoggerContext;
import org.apache.logging.log4j.core.appender.AbstractAppender;
import org.apache.logging.log4j.core.config.Property;

/** Records the log lines (as "LEVEL message") of the tracking package while open. */
final class LogLines implements AutoCloseable {
  private final List<String> lines = new CopyOnWriteArrayList<>();
  private final LoggerContext context = (LoggerContext) LogManager.getContext(false);
  private final AbstractAppender appender =
      new AbstractAppender("lines-" + UUID.randomUUID(), null, null, true, Property.EMPTY_ARRAY) {
        @Override
        public void append(LogEvent event) {
          if (event.getLoggerName().startsWith("ai.llep.trainer.tracking")) {
            lines.add(event.getLevel() + " " + event.getMessage().getFormattedMessage());
          }
        }
      };

  LogLines() {
    appender.start();
    context.getConfiguration().getRootLogger().addAppender(appender, Level.INFO, null);
    context.updateLoggers();
  }

  List<String> lines() {
    return List.copyOf(lines);
  }

  List<String> matching(String level, String fragment) {
    return lines.stream().filter(l -> l.startsWith(level + " ") && l.contains(fragment)).toList();
  }

  @Override
  public void close() {
    context.getConfiguration().getRootLogger().removeAppender(appender.getName());
    context.updateLoggers();
    appender.stop();
  }
}
