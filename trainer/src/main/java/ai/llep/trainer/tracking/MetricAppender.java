package ai.llep.trainer.tracking;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.io.Writer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * Appends lines to metric files. A run logs the same keys every step (one per expert and layer,
 * easily hundreds), and opening each file for every line would dominate the cost, so the first
 * {@link #MAX_OPEN} files stay open until {@link #close()}; files beyond them (so that descriptors
 * last) are opened for each line. Evicting by recency instead would reopen every file on every step
 * once a step logs more keys than fit.
 */
final class MetricAppender implements AutoCloseable {
  static final int MAX_OPEN = 1024;

  private final Map<Path, Writer> open = new HashMap<>();
  private final Set<Path> folders = new HashSet<>();
  private final List<Writer> dirty = new ArrayList<>();

  /** Appends {@code line} to {@code file}; for files kept open it is written by {@link #flush}. */
  void append(Path file, String line) {
    try {
      Writer writer = open.get(file);
      if (writer == null) {
        if (folders.add(file.getParent())) {
          Files.createDirectories(file.getParent());
        }
        if (open.size() == MAX_OPEN) {
          Files.writeString(
              file,
              line,
              StandardCharsets.UTF_8,
              StandardOpenOption.CREATE,
              StandardOpenOption.APPEND);
          return;
        }
        writer =
            Files.newBufferedWriter(
                file, StandardCharsets.UTF_8, StandardOpenOption.CREATE, StandardOpenOption.APPEND);
        open.put(file, writer);
      }
      writer.write(line);
      dirty.add(writer);
    } catch (IOException e) {
      throw new UncheckedIOException("cannot append to " + file, e);
    }
  }

  /** Writes every buffered line to its file, so readers see whole lines. */
  void flush() {
    try {
      for (Writer writer : dirty) {
        writer.flush();
      }
      dirty.clear();
    } catch (IOException e) {
      throw new UncheckedIOException("cannot write metric files", e);
    }
  }

  @Override
  public void close() {
    flush();
    IOException failure = null;
    for (Writer writer : open.values()) {
      try {
        writer.close();
      } catch (IOException e) {
        failure = e;
      }
    }
    open.clear();
    if (failure != null) {
      throw new UncheckedIOException("cannot close metric files", failure);
    }
  }
}
