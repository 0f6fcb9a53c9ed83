package ai.llep.trainer.config;

import static org.junit.jupiter.api.Assertions.assertEquals;

import com.typesafe.config.Config;
import com.typesafe.config.ConfigFactory;
import com.typesafe.config.ConfigParseOptions;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

class LayerTest {
  private static Config argument(String key, String value) {
    return Layer.ofArgument(new Arguments.KeyOverride(key, value)).config();
  }

  @Test
  void valuesAreHocon() {
    assertEquals(3, argument("a", "3").getInt("a"));
    assertEquals(List.of(1, 2, 0), argument("a", "[1,2,0]").getIntList("a"));
    assertEquals("x y", argument("a", "\"x y\"").getString("a"));
    assertEquals(4, argument("a.b", "{c = 4}").getInt("a.b.c"));
  }

  @Test
  void extraKeysAfterACommaMakeALiteral() {
    assertEquals("1, seed=2", argument("a", "1, seed=2").getString("a"));
  }

  @Test
  void everyLeafIsSourcedToTheCommandLine() {
    Layer layer = Layer.ofArgument(new Arguments.KeyOverride("a", "{b = 1, c {d = 2}}"));
    assertEquals(Map.of("a.b", "command line", "a.c.d", "command line"), layer.sources());
  }

  @Test
  void fileLeavesKnowTheirLine() {
    Config config =
        ConfigFactory.parseString(
            "a {\n  b = 1\n  e {}\n}\nc = [1]\n",
            ConfigParseOptions.defaults().setOriginDescription("r.conf"));
    Layer layer = Layer.ofFile(config);
    assertEquals(List.of("a.b", "a.e", "c"), layer.sources().keySet().stream().sorted().toList());
    assertEquals("r.conf: 2", layer.sources().get("a.b"));
  }
}
