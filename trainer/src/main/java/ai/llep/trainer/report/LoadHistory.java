package ai.llep.trainer.report;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.SortedMap;
import java.util.TreeMap;
import java.util.stream.Stream;

/**
 * A run's expert loads ({@link ExpertLoads} files) read back for the plots, already averaged: per
 * MoE layer, each expert's mean load in each heatmap column and each rank's mean load before and
 * after planning. The files are read twice, first for the steps (to find each step's winning record
 * and the columns), then for the sums, so memory grows with the steps and the plot, not with steps
 * times experts.
 */
final class LoadHistory {
  private LoadHistory() {}

  /**
   * One layer, ready to plot.
   *
   * @param columns the first step of each heatmap column
   * @param expertMeans mean load by expert, then column; NaN where no step of the column has it
   */
  record LayerView(
      int layer,
      List<Long> columns,
      double[][] expertMeans,
      double[] ranksBefore,
      double[] ranksAfter) {}

  /** Every layer found in the files under {@code dir}; empty if there are none. */
  static SortedMap<Integer, LayerView> read(Path dir) {
    List<Path> files = files(dir);
    Map<Long, Long> winner = new HashMap<>();
    forEachRecord(files, (at, step) -> winner.put(step.step(), at));
    List<Long> steps = winner.keySet().stream().sorted().toList();
    List<List<Long>> columns = ExpertLoadHeatmap.columns(steps);
    Map<Long, Integer> columnOf = new HashMap<>();
    for (int c = 0; c < columns.size(); c++) {
      for (long step : columns.get(c)) {
        columnOf.put(step, c);
      }
    }
    SortedMap<Integer, Sums> sums = new TreeMap<>();
    forEachRecord(
        files,
        (at, step) -> {
          if (at.equals(winner.get(step.step()))) {
            int column = columnOf.get(step.step());
            for (ExpertLoads.Layer layer : step.layers()) {
              sums.computeIfAbsent(layer.layer(), l -> new Sums(columns.size())).add(layer, column);
            }
          }
        });
    List<Long> labels = columns.stream().map(List::getFirst).toList();
    SortedMap<Integer, LayerView> views = new TreeMap<>();
    sums.forEach((layer, s) -> views.put(layer, s.view(layer, labels)));
    return views;
  }

  private static List<Path> files(Path dir) {
    if (!Files.isDirectory(dir)) {
      return List.of();
    }
    try (Stream<Path> list = Files.list(dir)) {
      return list.filter(p -> p.getFileName().toString().endsWith(".jsonl")).sorted().toList();
    } catch (IOException e) {
      throw new UncheckedIOException("cannot list " + dir, e);
    }
  }

  private interface RecordVisitor {
    /** {@code at} identifies the record: file index in the high half, line in the low half. */
    void visit(Long at, ExpertLoads.Step step);
  }

  private static void forEachRecord(List<Path> files, RecordVisitor visitor) {
    for (int f = 0; f < files.size(); f++) {
      Path file = files.get(f);
      try (BufferedReader reader = Files.newBufferedReader(file, StandardCharsets.UTF_8)) {
        String line;
        int number = 0;
        while ((line = reader.readLine()) != null) {
          number++;
          if (!line.isBlank()) {
            Long at = ((long) f << 32) | number;
            visitor.visit(at, ExpertLoads.parse(line, file + ":" + number));
          }
        }
      } catch (IOException e) {
        throw new UncheckedIOException("cannot read " + file, e);
      }
    }
  }

  /** Running sums of one layer. */
  private static final class Sums {
    private final int columns;
    private double[][] experts = new double[0][];
    private final int[] stepsPerColumn;
    private double[] before = new double[0];
    private double[] after = new double[0];
    private int steps;

    Sums(int columns) {
      this.columns = columns;
      this.stepsPerColumn = new int[columns];
    }

    void add(ExpertLoads.Layer layer, int column) {
      if (layer.experts().length > experts.length) {
        double[][] grown = Arrays.copyOf(experts, layer.experts().length);
        for (int e = experts.length; e < grown.length; e++) {
          grown[e] = new double[columns];
        }
        experts = grown;
      }
      for (int e = 0; e < layer.experts().length; e++) {
        experts[e][column] += layer.experts()[e];
      }
      stepsPerColumn[column]++;
      before = plus(before, layer.ranksBefore());
      after = plus(after, layer.ranksAfter());
      steps++;
    }

    private static double[] plus(double[] sum, long[] values) {
      if (values == null) {
        return sum;
      }
      double[] out = sum.length >= values.length ? sum : Arrays.copyOf(sum, values.length);
      for (int i = 0; i < values.length; i++) {
        out[i] += values[i];
      }
      return out;
    }

    LayerView view(int layer, List<Long> labels) {
      double[][] means = new double[experts.length][columns];
      for (int e = 0; e < experts.length; e++) {
        for (int c = 0; c < columns; c++) {
          means[e][c] = stepsPerColumn[c] == 0 ? Double.NaN : experts[e][c] / stepsPerColumn[c];
        }
      }
      return new LayerView(
          layer, new ArrayList<>(labels), means, divide(before, steps), divide(after, steps));
    }

    private static double[] divide(double[] sums, int count) {
      return Arrays.stream(sums).map(v -> v / Math.max(count, 1)).toArray();
    }
  }
}
