package ai.llep.models.tokenizer;

import ai.llep.models.template.Span;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.function.Function;

/**
 * Where each assistant message lies in a rendering, for templates without {@code generation}
 * blocks, found by rendering prefixes of the conversation. With {@code F} the whole rendering and
 * {@code m} the messages, for assistant message {@code i} (and {@code j} the first later message
 * that is not an assistant's, if any):
 *
 * <ul>
 *   <li>its text starts where {@code F} parts from {@code render(m[:i], generation prompt)}, after
 *       the common {@code render(m[:i])} (so a generation prompt the template writes, such as
 *       {@code <|im_start|>assistant\n}, is not learned, and text it would write that {@code F}
 *       does not have, such as an empty think block, is not assumed);
 *   <li>it ends at the end of {@code F} when no {@code j} follows; else at the end of {@code
 *       render(m[:i+1])} when {@code F} starts with it (templates that render a turn the same
 *       whatever follows); else where message {@code j} starts: the end of {@code render(m[:j+1])}
 *       less the length message {@code j} adds when rendered right after {@code m[:i]} (templates
 *       that render a last assistant turn differently, as Qwen3 with its think block and gpt-oss
 *       with {@code <|return|>}).
 * </ul>
 *
 * Every rendering used must agree with {@code F} on the text it shares, or the conversation is
 * refused with an error saying so: a template whose earlier turns change when later ones are added
 * has no mask by prefixes (mark its assistant text with {@code generation} blocks instead).
 */
final class AssistantSpans {
  private AssistantSpans() {}

  static List<Span> byPrefixes(
      String template, ChatInput input, String full, Function<ChatInput, String> render) {
    List<Map<String, Object>> m = input.messages();
    List<Span> spans = new ArrayList<>();
    for (int i = 0; i < m.size(); i++) {
      if (!input.role(i).equals("assistant")) {
        continue;
      }
      int j = i + 1;
      while (j < m.size() && input.role(j).equals("assistant")) {
        j++;
      }
      String context = render(template, render, input, m.subList(0, i), false, i);
      String prompt = render(template, render, input, m.subList(0, i), true, i);
      require(
          full.startsWith(context) && prompt.startsWith(context),
          template,
          i,
          "the text before it differs from the whole conversation's");
      int start = context.length() + commonPrefix(full, prompt, context.length());
      String turn = render(template, render, input, m.subList(0, i + 1), false, i);
      int end;
      if (j == m.size()) {
        end = full.length();
      } else if (full.startsWith(turn)) {
        end = turn.length();
      } else {
        String through = render(template, render, input, m.subList(0, j + 1), false, i);
        List<Map<String, Object>> next = new ArrayList<>(m.subList(0, i));
        next.add(m.get(j));
        String alone = render(template, render, input, next, false, i);
        require(
            alone.startsWith(context), template, i, "message " + j + " changes the text before it");
        end = through.length() - (alone.length() - context.length());
        require(
            end >= 0 && full.startsWith(through.substring(0, end)),
            template,
            i,
            "the text through message " + j + " differs from the whole conversation's");
      }
      require(start <= end, template, i, "its start lies after its end");
      spans.add(new Span(start, end));
    }
    return spans;
  }

  private static String render(
      String template,
      Function<ChatInput, String> render,
      ChatInput input,
      List<Map<String, Object>> messages,
      boolean generationPrompt,
      int assistant) {
    try {
      return render.apply(input.with(messages, generationPrompt));
    } catch (IllegalArgumentException e) {
      throw refused(template, assistant, "rendering a prefix failed: " + e.getMessage());
    }
  }

  private static int commonPrefix(String a, String b, int from) {
    int n = from;
    while (n < a.length() && n < b.length() && a.charAt(n) == b.charAt(n)) {
      n++;
    }
    return n - from;
  }

  private static void require(boolean holds, String template, int assistant, String why) {
    if (!holds) {
      throw refused(template, assistant, why);
    }
  }

  private static IllegalArgumentException refused(String template, int assistant, String why) {
    return new IllegalArgumentException(
        "chat template '"
            + template
            + "' cannot mark assistant message "
            + assistant
            + " by rendering prefixes: "
            + why
            + " (a template that marks assistant text with {% generation %} needs no prefixes)");
  }
}
