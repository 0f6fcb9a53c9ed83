package ai.llep.trainer.data;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import ai.llep.models.tokenizer.ByteTokenizer;
import ai.llep.models.tokenizer.ChatTemplate;
import ai.llep.models.tokenizer.JinjaChatTemplate;
import ai.llep.models.tokenizer.TemplateOptions;
import ai.llep.models.tokenizer.TokenizedExample;
import java.nio.charset.StandardCharsets;
import java.time.Clock;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** Training examples through a model's own (Jinja) template, with the run's template options. */
class TrainingRowsTemplateTest {
  private static final ByteTokenizer BYTES = new ByteTokenizer();
  private static final String TEMPLATE =
      "{%- for m in messages %}"
          + "{%- if not loop.first and m['role'] == loop.previtem['role'] %}"
          + "{{- raise_exception('roles must alternate') }}{%- endif %}"
          + "{{- '<' + m['role'] + '>' + m['content'] }}"
          + "{%- if m['role'] == 'assistant' %}{{- mark|default('') }}{%- endif %}"
          + "{%- endfor %}"
          + "{%- if add_generation_prompt %}{{- '<assistant>' }}{%- endif %}";

  @Test
  void theRunsOptionsReachTheTemplateAndTheLossCoversAssistantText() {
    ChatTemplate template =
        JinjaChatTemplate.parse("model", TEMPLATE, Clock.systemUTC())
            .withOptions(new TemplateOptions(Map.of("mark", "!"), List.of(), "sys"));
    RawExample example =
        new RawExample.Conversation(
            List.of(new RawExample.Turn("user", "hi"), new RawExample.Turn("assistant", "yo")),
            "train.jsonl:3");
    TokenizedExample encoded = TrainingRows.encode(example, template, BYTES);
    String text = new String(bytes(encoded.inputIds()), StandardCharsets.UTF_8);
    assertEquals("<system>sys<user>hi<assistant>yo!", text);
    StringBuilder learned = new StringBuilder();
    for (int i = 0; i < encoded.length(); i++) {
      if (encoded.lossMask()[i]) {
        learned.append((char) encoded.inputIds()[i]);
      }
    }
    assertEquals("yo!", learned.toString());
  }

  @Test
  void aTemplateRefusingAConversationNamesTheLineOfTheData() {
    ChatTemplate template = JinjaChatTemplate.parse("model", TEMPLATE, Clock.systemUTC());
    RawExample example =
        new RawExample.Conversation(
            List.of(new RawExample.Turn("assistant", "yo"), new RawExample.Turn("assistant", "x")),
            "train.jsonl:7");
    DataError error =
        assertThrows(DataError.class, () -> TrainingRows.encode(example, template, BYTES));
    assertEquals(
        "train.jsonl:7: chat template 'model': line 1: roles must alternate", error.getMessage());
  }

  private static byte[] bytes(int[] ids) {
    byte[] out = new byte[ids.length];
    for (int i = 0; i < ids.length; i++) {
      out[i] = (byte) ids[i];
    }
    return out;
  }
}
