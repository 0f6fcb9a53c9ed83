package ai.llep.models.tokenizer;

import java.util.Arrays;

/** Appends token runs with their loss flag and their text; what built-in templates build with. */
final class ExampleBuilder {
  private final TextTokenizer tokenizer;
  private final String template;
  private final StringBuilder text = new StringBuilder();
  private int[] ids = new int[64];
  private boolean[] mask = new boolean[64];
  private int length;

  ExampleBuilder(TextTokenizer tokenizer, String template) {
    this.tokenizer = tokenizer;
    this.template = template;
  }

  ExampleBuilder text(String part, boolean learned) {
    text.append(part);
    for (int id : tokenizer.encode(part)) {
      add(id, learned);
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

  /** Appends one token given by id; its text is what the tokenizer decodes it to. */
  ExampleBuilder id(int id, boolean learned) {
    text.append(tokenizer.decode(new int[] {id}, false));
    return add(id, learned);
  }

  private ExampleBuilder add(int id, boolean learned) {
    if (length == ids.length) {
      ids = Arrays.copyOf(ids, length * 2);
      mask = Arrays.copyOf(mask, length * 2);
    }
    ids[length] = id;
    mask[length] = learned;
    length++;
    return this;
  }

  EncodedChat build() {
    return new EncodedChat(
        text.toString(), Arrays.copyOf(ids, length), Arrays.copyOf(mask, length));
  }

  private IllegalArgumentException missing(String what) {
    return new IllegalArgumentException(
        "the " + template + " chat template needs " + what + ", which " + tokenizer + " lacks");
  }
}
