package ai.llep.models.tokenizer;

import static org.junit.jupiter.api.Assertions.assertEquals;

import ai.llep.models.template.JinjaTemplate;
import java.time.Clock;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * The Jinja text an export writes for a built-in template renders the same text as the built-in (so
 * transformers formats prompts as the model was trained), checked with the byte tokenizer, whose
 * ids are the text's bytes.
 */
class BuiltinTemplatesAsJinjaTest {
  private static final ByteTokenizer BYTES = new ByteTokenizer();
  private static final List<ChatMessage> CONVERSATION =
      List.of(
          ChatMessage.system("Be brief."),
          ChatMessage.user("Hi"),
          ChatMessage.assistant("Hello"),
          ChatMessage.user("Bye"),
          ChatMessage.assistant(" Bye! "));

  @Test
  void chatmlMixtralAndPlainRenderTheirOwnText() {
    for (ChatTemplate builtin :
        List.of(ChatTemplate.chatml(), ChatTemplate.mixtral(), ChatTemplate.plain())) {
      JinjaChatTemplate jinja =
          new JinjaChatTemplate(
              builtin.name(),
              JinjaTemplate.parse(builtin.jinjaSource().orElseThrow()),
              Clock.systemUTC());
      for (ChatInput input :
          List.of(ChatInput.training(CONVERSATION), ChatInput.prompt(CONVERSATION.subList(0, 4)))) {
        assertEquals(
            builtin.encode(input, BYTES).text(), jinja.render(input, BYTES), builtin.name());
      }
    }
  }

  @Test
  void optionsAddASystemPromptAndDefaultVariablesToEveryConversation() {
    TemplateOptions options = new TemplateOptions(java.util.Map.of(), List.of(), "Be kind.");
    EncodedChat encoded =
        ChatTemplate.chatml()
            .withOptions(options)
            .encode(ChatInput.training(CONVERSATION.subList(1, 3)), BYTES);
    assertEquals(
        "<|im_start|>system\nBe kind.<|im_end|>\n<|im_start|>user\nHi<|im_end|>\n"
            + "<|im_start|>assistant\nHello<|im_end|>\n",
        encoded.text());
    JinjaChatTemplate echo =
        JinjaChatTemplate.parse(
            "echo",
            "{{ greeting }}{% for m in messages %}|{{ m.content }}{% endfor %}",
            Clock.systemUTC());
    TemplateOptions greeting =
        new TemplateOptions(java.util.Map.of("greeting", "hey"), List.of(), "");
    assertEquals(
        "hey|Hi|Hello",
        echo.withOptions(greeting)
            .encode(ChatInput.training(CONVERSATION.subList(1, 3)), BYTES)
            .text());
  }
}
