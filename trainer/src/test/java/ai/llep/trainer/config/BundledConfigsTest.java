package ai.llep.trainer.config;

import static org.junit.jupiter.api.Assertions.assertEquals;

import com.typesafe.config.Config;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import java.util.TreeSet;
import org.junit.jupiter.api.Test;

/** The shipped configs/ folder: every option loads, and options of a group agree on keys. */
class BundledConfigsTest {
  private final ConfigLoader loader = new ConfigLoader();
  private final SearchPath searchPath = new SearchPath(List.of(), getClass().getClassLoader());

  private Set<String> keys(String group, String option) {
    Config config = loader.load(Optional.empty(), List.of(group + "=" + option)).config();
    return new TreeSet<>(config.getConfig(group).root().keySet());
  }

  @Test
  void baseChoosesAnOptionForEveryGroup() {
    assertEquals(searchPath.groups(), loader.load(Optional.empty(), List.of()).groups().keySet());
  }

  /** The one key only the comm options that can pick NCCL have. */
  private static final String NCCL_ONLY = "nccl-library";

  @Test
  void everyOptionOfAGroupSetsTheSameKeys() {
    for (String group : searchPath.groups()) {
      Set<String> reference = keys(group, searchPath.options(group).first());
      reference.remove(NCCL_ONLY);
      for (String option : searchPath.options(group)) {
        Set<String> keys = keys(group, option);
        keys.remove(NCCL_ONLY);
        assertEquals(reference, keys, group + "/" + option);
      }
    }
  }

  @Test
  void optionsSetWhatTheirNamesSay() {
    for (String backend : List.of("tcp", "nccl", "auto")) {
      assertEquals(
          backend,
          loader
              .load(Optional.empty(), List.of("comm=" + backend))
              .config()
              .getString("comm.backend"));
    }
    Config ep = loader.load(Optional.empty(), List.of("llep=ep")).config();
    assertEquals("ep", ep.getString("llep.mode"));
    Config always = loader.load(Optional.empty(), List.of("llep=always")).config();
    assertEquals("llep", always.getString("llep.mode"));
    assertEquals(1.0, always.getDouble("llep.lambda"));
    assertEquals(1024, always.getInt("llep.min-tokens-per-gemm"));
  }
}
