package ai.llep.trainer.tracking;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

class MetaYamlTest {
  @ParameterizedTest
  @CsvSource(
      delimiter = '|',
      quoteCharacter = '"',
      value = {
        "Default|Default",
        "file:///tmp/mlruns/0|file:///tmp/mlruns/0",
        "my experiment|my experiment",
        "3f2a9c|3f2a9c",
        "0|'0'",
        "123|'123'",
        "1.5|'1.5'",
        "1e5|1e5",
        "0x1F|'0x1F'",
        "yes|'yes'",
        "True|'True'",
        "null|'null'",
        "~|'~'",
        "2024-01-02|'2024-01-02'",
        "a: b|'a: b'",
        "ends with:|'ends with:'",
        "-dash|'-dash'",
        "it's|'it''s'",
        "ünïcode|'ünïcode'",
      })
  void stringsArePlainUnlessYamlWouldReadThemAsSomethingElse(String value, String yaml) {
    assertEquals(yaml, MetaYaml.string(value));
    assertEquals(value, MetaYaml.parse("k: " + yaml + "\n").get("k"));
  }

  @Test
  void emptyAndControlCharactersAreQuoted() {
    assertEquals("''", MetaYaml.string(""));
    assertEquals("\"line\\nbreak\\ttab\"", MetaYaml.string("line\nbreak\ttab"));
    assertEquals("line\nbreak\ttab", MetaYaml.parse("k: \"line\\nbreak\\ttab\"").get("k"));
  }

  @Test
  void rendersSortedKeysAndReadsThemBack() {
    Map<String, Object> values = new LinkedHashMap<>();
    values.put("status", 1);
    values.put("end_time", null);
    values.put("tags", List.of());
    values.put("experiment_id", "0");
    values.put("start_time", 1_700_000_000_000L);
    String yaml = MetaYaml.render(values);
    assertEquals(
        "end_time: null\nexperiment_id: '0'\nstart_time: 1700000000000\nstatus: 1\ntags: []\n",
        yaml);
    Map<String, String> read = MetaYaml.parse(yaml);
    assertEquals(null, read.get("end_time"));
    assertEquals("0", read.get("experiment_id"));
    assertEquals("1700000000000", read.get("start_time"));
  }

  @Test
  void readsFoldedPlainScalars() {
    assertEquals(
        "a long experiment name",
        MetaYaml.parse("name: a long\n  experiment name\nlifecycle_stage: active\n").get("name"));
  }
}
