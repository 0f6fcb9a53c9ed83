package ai.llep.trainer.data;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.TreeSet;
import org.apache.logging.log4j.LogManager;
import org.apache.logging.log4j.Logger;

/**
 * Reads the examples of one rank's share of the data mixture: example k of the epoch belongs to
 * rank k mod P, and only those lines are parsed. A malformed line (not UTF-8, not JSON, not a row
 * of its format) is an error naming file and line, or, with {@code skipBadLines}, is skipped and
 * counted. Each line is decoded on its own, so bytes that are not UTF-8 spoil only their line.
 */
public final class ExampleReader {
  private static final Logger LOG = LogManager.getLogger(ExampleReader.class);

  private final boolean skipBadLines;
  private int skipped;
  private int mixtureSize;

  public ExampleReader(boolean skipBadLines) {
    this.skipBadLines = skipBadLines;
  }

  /** Lines skipped so far (only with {@code skipBadLines}). */
  public int skipped() {
    return skipped;
  }

  /** Examples of the whole mixture (all ranks) in the last read. */
  public int mixtureSize() {
    return mixtureSize;
  }

  /**
   * Rank {@code rank}'s examples in mixture order; an example that the mixture repeats on this rank
   * is the same object each time (so it is tokenized once).
   */
  public List<RawExample> read(List<DataFile> files, long seed, int rank, int worldSize) {
    return read(files, seed, DataMixture.Holdout.NONE, rank, worldSize);
  }

  /** As above, of the part of the files that {@code holdout} takes. */
  List<RawExample> read(
      List<DataFile> files, long seed, DataMixture.Holdout holdout, int rank, int worldSize) {
    DataMixture mixture = DataMixture.of(files, seed, holdout);
    mixtureSize = mixture.size();
    List<Integer> mine = new ArrayList<>();
    for (int k = rank; k < mixture.size(); k += worldSize) {
      mine.add(k);
    }
    return examples(mixture, mine);
  }

  /** The first {@code count} examples of the mixture (what a preview shows). */
  public List<RawExample> readFirst(List<DataFile> files, long seed, int count) {
    DataMixture mixture = DataMixture.of(files, seed);
    mixtureSize = mixture.size();
    List<Integer> first = new ArrayList<>();
    for (int k = 0; k < Math.min(count, mixture.size()); k++) {
      first.add(k);
    }
    return examples(mixture, first);
  }

  private List<RawExample> examples(DataMixture mixture, List<Integer> wanted) {
    List<Map<Integer, Optional<RawExample>>> parsed = new ArrayList<>();
    for (int f = 0; f < mixture.fileCount(); f++) {
      TreeSet<Integer> lines = new TreeSet<>();
      for (int k : wanted) {
        if (mixture.fileOf(k) == f) {
          lines.add(mixture.lineOf(k));
        }
      }
      parsed.add(parseLines(mixture.file(f), lines));
    }
    List<RawExample> out = new ArrayList<>(wanted.size());
    for (int k : wanted) {
      parsed.get(mixture.fileOf(k)).get(mixture.lineOf(k)).ifPresent(out::add);
    }
    return out;
  }

  /** The rows at {@code lines} (1-based, ascending); a skipped bad row is empty. */
  private Map<Integer, Optional<RawExample>> parseLines(DataFile file, TreeSet<Integer> lines) {
    Map<Integer, Optional<RawExample>> rows = new HashMap<>();
    if (lines.isEmpty()) {
      return rows;
    }
    try (Utf8Lines reader = new Utf8Lines(file.path())) {
      int number = 0;
      for (int wanted : lines) {
        for (; number < wanted - 1; number++) {
          reader.skip();
        }
        number++;
        String where = file.path() + ":" + wanted;
        try {
          rows.put(wanted, parse(reader.next(), where, file.format()));
        } catch (Utf8Lines.Malformed e) {
          rows.put(wanted, skipOrThrow(new DataError(where + ": " + e.getMessage())));
        }
      }
    } catch (IOException e) {
      throw new UncheckedIOException("reading " + file.path() + ": " + e.getMessage(), e);
    }
    return rows;
  }

  private Optional<RawExample> parse(String line, String where, DataFormat format) {
    if (line == null) {
      throw new DataError(where + ": the file changed while it was read (the line is gone)");
    }
    try {
      return Optional.of(RowParser.parse(line, where, format));
    } catch (DataError e) {
      return skipOrThrow(e);
    }
  }

  private Optional<RawExample> skipOrThrow(DataError e) {
    if (!skipBadLines) {
      throw e;
    }
    skipped++;
    LOG.warn("skipping {}", e.getMessage());
    return Optional.empty();
  }
}
