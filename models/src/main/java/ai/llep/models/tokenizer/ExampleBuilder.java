package ai.llep.models.tokenizer;

import java.util.Arrays;

/** Appends token runs with their loss flag; what every template builds its example with. */
final class ExampleBuilder {
  private final TextTokenizer tokenizer;
  private final String template;
  private int[] ids = new int[64];
  private boolean[] mask = new boolean[64];
  private int length;

  ExampleBuilder(TextTokenizer tokenizer, String template) {
    this.tokenizer = tokenizer;
    this.template = template;
  }

  ExampleBuilder text(String text, boolean learned) {
    for (int id : tokenizer.encode(text)) {
      id(id, learned);
    }
    return this;
  }

  ExampleBuilder special(String token, boolean learned) {
    int id =
        tokenizer.specialTokenId(token).orElseThrow(() -> missing("the special token " + token));
    return id(id, learned);
  }

  ExampleBuilder bos(boolean learned) {
    return id(tokenizer.bosId().orElseThrow(() -> missing("a BOS token")), learned);
  }

  ExampleBuilder eos(boolean learned) {
    return id(tokenizer.eosId().orElseThrow(() -> missing("an EOS token")), learned);
  }

  ExampleBuilder id(int id, boolean learned) {
    if (length == ids.length) {
      ids = Arrays.copyOf(ids, length * 2);
      mask = Arrays.copyOf(mask, length * 2);
    }
    ids[length] = id;
    mask[length] = learned;
    length++;
    return this;
  }

  TokenizedExample build() {
    return new TokenizedExample(Arrays.copyOf(ids, length), Arrays.copyOf(mask, length));
  }

  int[] ids() {
    return Arrays.copyOf(ids, length);
  }

  private IllegalArgumentException missing(String what) {
    return new IllegalArgumentException(
        "the " + template + " chat template needs " + what + ", which " + tokenizer + " lacks");
  }
}
