package ai.llep.trainer.data;

import com.google.gson.JsonArray;
import com.google.gson.JsonElement;
import com.google.gson.JsonObject;

/**
 * Pre-tokenized rows: {@code input_ids}, and the loss either as Hugging Face {@code labels} (-100 =
 * no loss, else the token itself: the model shifts them) or as a {@code loss_mask} of 0/1 (or
 * booleans); with neither, the loss covers every token. An {@code attention_mask}, if given, must
 * be all ones (rows hold no padding of their own).
 */
final class TokenRows {
  private TokenRows() {}

  static RawExample.Tokens parse(JsonObject row, String where) {
    int[] ids = ints(row, "input_ids", where);
    if (ids.length == 0) {
      throw new DataError(where + ": \"input_ids\" is empty");
    }
    for (int t = 0; t < ids.length; t++) {
      if (ids[t] < 0) {
        throw new DataError(where + ": input_ids[" + t + "] is negative (" + ids[t] + ")");
      }
    }
    if (row.has("labels") && row.has("loss_mask")) {
      throw new DataError(where + ": give \"labels\" or \"loss_mask\", not both");
    }
    boolean[] mask = new boolean[ids.length];
    if (row.has("labels")) {
      int[] labels = sameLength(ints(row, "labels", where), ids, "labels", where);
      for (int t = 0; t < ids.length; t++) {
        if (labels[t] != PackedSequence.IGNORE && labels[t] != ids[t]) {
          throw new DataError(
              where
                  + ": labels["
                  + t
                  + "] is "
                  + labels[t]
                  + " but input_ids["
                  + t
                  + "] is "
                  + ids[t]
                  + " (a label is -100 or the token itself; the model shifts them)");
        }
        mask[t] = labels[t] != PackedSequence.IGNORE;
      }
    } else if (row.has("loss_mask")) {
      mask = flags(row, "loss_mask", ids, where);
    } else {
      java.util.Arrays.fill(mask, true);
    }
    if (row.has("attention_mask")) {
      for (boolean attended : flags(row, "attention_mask", ids, where)) {
        if (!attended) {
          throw new DataError(
              where + ": \"attention_mask\" has zeros (padding); give rows without padding");
        }
      }
    }
    return new RawExample.Tokens(ids, mask, where);
  }

  private static int[] ints(JsonObject row, String key, String where) {
    JsonArray array = array(row, key, where);
    int[] out = new int[array.size()];
    for (int t = 0; t < out.length; t++) {
      JsonElement e = array.get(t);
      if (!e.isJsonPrimitive()
          || !e.getAsJsonPrimitive().isNumber()
          || e.getAsDouble() != Math.rint(e.getAsDouble())
          || Math.abs(e.getAsDouble()) > Integer.MAX_VALUE) {
        throw new DataError(
            where + ": " + key + "[" + t + "] must be an integer, got " + JsonFields.kind(e));
      }
      out[t] = e.getAsInt();
    }
    return out;
  }

  private static boolean[] flags(JsonObject row, String key, int[] ids, String where) {
    JsonArray array = array(row, key, where);
    sameLength(new int[array.size()], ids, key, where);
    boolean[] out = new boolean[array.size()];
    for (int t = 0; t < out.length; t++) {
      JsonElement e = array.get(t);
      if (e.isJsonPrimitive() && e.getAsJsonPrimitive().isBoolean()) {
        out[t] = e.getAsBoolean();
      } else if (e.isJsonPrimitive()
          && e.getAsJsonPrimitive().isNumber()
          && (e.getAsDouble() == 0 || e.getAsDouble() == 1)) {
        out[t] = e.getAsDouble() == 1;
      } else {
        throw new DataError(where + ": " + key + "[" + t + "] must be 0, 1, true or false");
      }
    }
    return out;
  }

  private static JsonArray array(JsonObject row, String key, String where) {
    JsonElement value = row.get(key);
    if (value == null) {
      throw new DataError(where + ": missing \"" + key + "\"");
    }
    if (!value.isJsonArray()) {
      throw new DataError(
          where + ": \"" + key + "\" must be an array, got " + JsonFields.kind(value));
    }
    return value.getAsJsonArray();
  }

  private static int[] sameLength(int[] values, int[] ids, String key, String where) {
    if (values.length != ids.length) {
      throw new DataError(
          where
              + ": \""
              + key
              + "\" has "
              + values.length
              + " entries but \"input_ids\" has "
              + ids.length);
    }
    return values;
  }
}
