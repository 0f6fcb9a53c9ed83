package ai.llep.models.lora;

import com.google.gson.GsonBuilder;
import com.google.gson.JsonArray;
import com.google.gson.JsonElement;
import com.google.gson.JsonNull;
import com.google.gson.JsonObject;
import com.google.gson.JsonParser;
import java.util.ArrayList;
import java.util.EnumSet;
import java.util.List;
import java.util.Set;

/**
 * PEFT's {@code adapter_config.json} for the adapters a {@link LoraSpec} describes: written with
 * the fields PEFT 0.21 reads for a LoRA adapter, and read back checking that a file describes the
 * adapters of a spec.
 */
final class PeftAdapterConfig {
  static final String FILE = "adapter_config.json";

  private PeftAdapterConfig() {}

  /** The file's text for {@code spec}, naming {@code baseModel} as the base. */
  static String write(LoraSpec spec, String baseModel) {
    JsonObject c = new JsonObject();
    c.addProperty("peft_type", "LORA");
    c.add("task_type", JsonNull.INSTANCE);
    c.addProperty("base_model_name_or_path", baseModel);
    c.addProperty("r", spec.rank());
    c.addProperty("lora_alpha", alpha(spec.alpha()));
    c.addProperty("lora_dropout", spec.dropout());
    c.addProperty("use_rslora", spec.rslora());
    Object init = spec.init().peftValue();
    if (init instanceof Boolean b) {
      c.addProperty("init_lora_weights", b);
    } else {
      c.addProperty("init_lora_weights", init.toString());
    }
    JsonArray modules = new JsonArray();
    JsonArray parameters = new JsonArray();
    for (String label : sortedLabels(spec.targets(), false)) {
      modules.add(label);
    }
    for (String label : sortedLabels(spec.targets(), true)) {
      parameters.add(label);
    }
    c.add("target_modules", modules);
    c.add("target_parameters", parameters.isEmpty() ? JsonNull.INSTANCE : parameters);
    c.addProperty("bias", "none");
    c.addProperty("fan_in_fan_out", false);
    c.addProperty("inference_mode", true);
    c.addProperty("use_dora", false);
    c.addProperty("lora_bias", false);
    c.add("modules_to_save", JsonNull.INSTANCE);
    c.add("layers_to_transform", JsonNull.INSTANCE);
    c.add("rank_pattern", new JsonObject());
    c.add("alpha_pattern", new JsonObject());
    return new GsonBuilder().setPrettyPrinting().create().toJson(c) + "\n";
  }

  /** An integral alpha as an integer, as PEFT users write it. */
  private static Number alpha(double alpha) {
    return alpha == Math.rint(alpha) && Math.abs(alpha) < 1e15 ? (Number) (long) alpha : alpha;
  }

  private static List<String> sortedLabels(Set<LoraTarget> targets, boolean experts) {
    List<String> labels = new ArrayList<>();
    for (LoraTarget t : targets) {
      if (t.expert() == experts) {
        labels.add(experts ? PeftKeys.targetParameter(t) : t.label());
      }
    }
    labels.sort(null);
    return labels;
  }

  /**
   * Checks that {@code text} (of {@code where}) describes the adapters of {@code spec}: the same
   * rank, alpha, scaling rule and targets, and nothing this project does not compute.
   *
   * @throws IllegalArgumentException naming the field, the file's value and the spec's
   */
  static void check(String text, String where, LoraSpec spec) {
    JsonObject c = JsonParser.parseString(text).getAsJsonObject();
    String peftType = string(c, "peft_type", "LORA");
    if (!peftType.equals("LORA")) {
      throw mismatch(where, "peft_type", peftType, "LORA");
    }
    int r = c.get("r").getAsInt();
    if (r != spec.rank()) {
      throw mismatch(where, "r", r, "lora.rank=" + spec.rank());
    }
    double alpha = c.get("lora_alpha").getAsDouble();
    if (alpha != spec.alpha()) {
      throw mismatch(where, "lora_alpha", alpha, "lora.alpha=" + spec.alpha());
    }
    boolean rslora = c.has("use_rslora") && c.get("use_rslora").getAsBoolean();
    if (rslora != spec.rslora()) {
      throw mismatch(where, "use_rslora", rslora, "lora.use-rslora=" + spec.rslora());
    }
    for (String unsupported : List.of("rank_pattern", "alpha_pattern")) {
      JsonElement value = c.get(unsupported);
      if (value != null && value.isJsonObject() && !value.getAsJsonObject().isEmpty()) {
        throw new IllegalArgumentException(
            where + ": " + unsupported + " " + value + " is not supported (one rank and alpha)");
      }
    }
    for (String off : List.of("use_dora", "lora_bias", "fan_in_fan_out")) {
      if (c.has(off) && c.get(off).isJsonPrimitive() && c.get(off).getAsBoolean()) {
        throw new IllegalArgumentException(where + ": " + off + "=true is not supported");
      }
    }
    if (c.has("layers_to_transform") && !c.get("layers_to_transform").isJsonNull()) {
      throw new IllegalArgumentException(where + ": layers_to_transform is not supported");
    }
    Set<LoraTarget> targets = targets(c, where);
    if (!targets.equals(EnumSet.copyOf(spec.targets()))) {
      throw mismatch(
          where,
          "target_modules and target_parameters",
          targets.stream().map(LoraTarget::label).toList(),
          "lora.targets=" + spec.ordered().stream().map(LoraTarget::label).toList());
    }
  }

  private static Set<LoraTarget> targets(JsonObject c, String where) {
    Set<LoraTarget> targets = EnumSet.noneOf(LoraTarget.class);
    JsonElement modules = c.get("target_modules");
    if (modules != null && modules.isJsonPrimitive()) {
      throw new IllegalArgumentException(
          where
              + ": target_modules is the pattern "
              + modules
              + "; only a list of module names is supported");
    }
    if (modules != null && modules.isJsonArray()) {
      for (JsonElement m : modules.getAsJsonArray()) {
        targets.add(LoraTarget.parse(where + ": target_modules", m.getAsString()));
      }
    }
    JsonElement parameters = c.get("target_parameters");
    if (parameters != null && parameters.isJsonArray()) {
      for (JsonElement p : parameters.getAsJsonArray()) {
        String name = p.getAsString();
        String label = name.startsWith("mlp.") ? name.substring("mlp.".length()) : name;
        LoraTarget t = LoraTarget.parse(where + ": target_parameters", label);
        if (!t.expert()) {
          throw new IllegalArgumentException(
              where + ": target_parameters entry " + name + " is not an expert parameter");
        }
        targets.add(t);
      }
    }
    return targets;
  }

  private static String string(JsonObject c, String field, String fallback) {
    JsonElement value = c.get(field);
    return value == null || value.isJsonNull() ? fallback : value.getAsString();
  }

  private static IllegalArgumentException mismatch(
      String where, String field, Object file, String config) {
    return new IllegalArgumentException(
        where + ": " + field + " is " + file + " in the adapter, but the config has " + config);
  }
}
