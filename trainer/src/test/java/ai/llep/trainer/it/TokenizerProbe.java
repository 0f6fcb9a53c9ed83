package ai.llep.trainer.it;

import ai.llep.models.tokenizer.HfTokenizer;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.stream.Collectors;

/**
 * Loads a Hugging Face {@code tokenizer.json} and prints the ids of a text: run by {@link BundleIT}
 * with nothing but the bundle's own runtime and jars (and this class) on its class path.
 */
final class TokenizerProbe {
  private TokenizerProbe() {}

  public static void main(String[] args) throws Exception {
    try (HfTokenizer tokenizer = HfTokenizer.open(Path.of(args[0]))) {
      int[] ids = tokenizer.encode(args[1]);
      System.out.println(
          "ids=" + Arrays.stream(ids).mapToObj(Integer::toString).collect(Collectors.joining(",")));
    }
  }
}
