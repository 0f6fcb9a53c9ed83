package ai.llep.trainer.report;

import com.google.gson.Gson;
import com.google.gson.JsonParseException;
import com.google.gson.annotations.SerializedName;
import java.util.List;
import java.util.Locale;

/**
 * The per-step expert loads of a run, stored as artifacts rather than metrics (a real model has
 * thousands of layer-expert pairs): JSON Lines files under {@value #DIR}, one line per step, {@code
 * {"step":12,"layers":[{"layer":0,"experts":[...],"ranks_before":[...],"ranks_after":[...]},
 * ...]}}. Each file holds consecutive steps and is written once, when they are done, as {@code
 * steps-<first>-<last>.jsonl} (eight digits each, so names sort by step); where files overlap (a
 * run resumed from an earlier checkpoint repeats steps) the file that sorts last wins.
 */
public final class ExpertLoads {
  /** The artifact folder of the files. */
  public static final String DIR = "moe/expert_loads";

  private static final Gson GSON = new Gson();

  private ExpertLoads() {}

  /** One step: the loads of every MoE layer, summed over the step's micro-batches and ranks. */
  public record Step(long step, List<Layer> layers) {
    public Step {
      layers = List.copyOf(layers);
    }
  }

  /**
   * One MoE layer in one step.
   *
   * @param experts tokens routed to each expert
   * @param ranksBefore tokens each rank would compute without LLEP (its own experts' load)
   * @param ranksAfter tokens each rank computed after LLEP's planning
   */
  public record Layer(
      int layer,
      long[] experts,
      @SerializedName("ranks_before") long[] ranksBefore,
      @SerializedName("ranks_after") long[] ranksAfter) {}

  /** The artifact path of the file holding steps {@code first} to {@code last}. */
  public static String artifact(long first, long last) {
    return String.format(Locale.ROOT, "%s/steps-%08d-%08d.jsonl", DIR, first, last);
  }

  /** One line, without its newline. */
  public static String line(Step step) {
    return GSON.toJson(step);
  }

  /**
   * @throws IllegalArgumentException naming {@code where} if the line is not a step record
   */
  public static Step parse(String line, String where) {
    Step step;
    try {
      step = GSON.fromJson(line, Step.class);
    } catch (JsonParseException e) {
      throw new IllegalArgumentException(where + ": not valid JSON (" + e.getMessage() + ")", e);
    } catch (RuntimeException e) {
      // The record's constructor refused what Gson read (a missing or null list).
      throw new IllegalArgumentException(where + ": not an expert-load record", e);
    }
    if (step == null || step.layers().stream().anyMatch(l -> l.experts() == null)) {
      throw new IllegalArgumentException(where + ": not an expert-load record");
    }
    return step;
  }
}
