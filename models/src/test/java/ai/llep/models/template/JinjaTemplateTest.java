package ai.llep.models.template;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.time.Clock;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** The interpreter's rules, one at a time, with the output Jinja gives for each. */
class JinjaTemplateTest {
  private static final Clock CLOCK =
      Clock.fixed(Instant.parse("2025-08-05T10:15:30Z"), ZoneOffset.UTC);

  private static String render(String template, Object... keyValues) {
    Map<String, Object> variables = new LinkedHashMap<>();
    for (int i = 0; i < keyValues.length; i += 2) {
      variables.put((String) keyValues[i], TemplateValues.of(keyValues[i + 1]));
    }
    return JinjaTemplate.parse(template).render(variables, CLOCK).text();
  }

  @Test
  void whitespaceControlTrimBlocksAndLstripBlocks() {
    // lstrip_blocks drops the indentation before a block tag, trim_blocks the newline after it.
    assertEquals("a\nb\n", render("a\n  {% if true %}\nb\n  {% endif %}\n"));
    // '-' strips all whitespace on its side, newlines included; '+' keeps the indentation.
    assertEquals("ab", render("a  \n {{- 'b' -}} \n\n"));
    assertEquals("a\n  b", render("a\n  {%+ if true %}b{% endif %}"));
    // Print tags are not touched by lstrip_blocks or trim_blocks.
    assertEquals("  x\ny", render("  {{ 'x' }}\ny"));
    // Comments count as blocks; one trailing newline of the template is dropped.
    assertEquals("z", render("  {# note #}\nz\n"));
  }

  @Test
  void slicingFollowsPython() {
    List<Object> items = List.of(1L, 2L, 3L, 4L);
    assertEquals("[4, 3, 2, 1]", render("{{ m[::-1] }}", "m", items));
    assertEquals(
        "[2, 3]|[4]|[1, 3]|[4, 2]",
        render("{{ m[1:3] }}|{{ m[-1:] }}|{{ m[::2] }}|{{ m[::-2] }}", "m", items));
    assertEquals("olleh|el|o", render("{{ s[::-1] }}|{{ s[1:3] }}|{{ s[-1] }}", "s", "hello"));
    // Strings index code points, not UTF-16 units.
    assertEquals("😀|2", render("{{ s[1] }}|{{ s|length }}", "s", "a😀"));
  }

  @Test
  void namespaceAttributesSurviveLoopsWhileSetDoesNot() {
    String template =
        "{% set ns = namespace(n=0) %}{% set plain = 0 %}"
            + "{% for i in [1, 2, 3] %}{% set ns.n = ns.n + i %}{% set plain = plain + i %}{% endfor %}"
            + "{{ ns.n }} {{ plain }}";
    assertEquals("6 0", render(template));
  }

  @Test
  void loopVariables() {
    String template =
        "{% for x in items %}{{ loop.index }}{{ loop.index0 }}{{ loop.revindex }}"
            + "{{ loop.first }}{{ loop.last }}{{ loop.length }}"
            + "{{ loop.previtem if loop.previtem is defined else '-' }}"
            + "{{ loop.nextitem if loop.nextitem is defined else '-' }};{% endfor %}";
    assertEquals("102TrueFalse2-b;211FalseTrue2a-;", render(template, "items", List.of("a", "b")));
    assertEquals("0;2;", render("{% for x in [0, 1, 2, 3] if x is even %}{{ x }};{% endfor %}"));
    assertEquals("none", render("{% for x in [] %}{{ x }}{% else %}none{% endfor %}"));
    assertEquals(
        "02",
        render(
            "{% for x in range(5) %}{% if x == 1 %}{% continue %}{% endif %}{% if x == 3 %}{% break %}{% endif %}{{ x }}{% endfor %}"));
  }

  @Test
  void tojsonIsPythonJsonDumpsWithNonAsciiKept() {
    Map<String, Object> value = new LinkedHashMap<>();
    value.put("b", List.of(1L, 2.0, true));
    value.put("a", "é\n\"<");
    assertEquals(
        "{\"b\": [1, 2.0, true], \"a\": \"é\\n\\\"<\"}", render("{{ v|tojson }}", "v", value));
    assertEquals(
        "{\n  \"a\": \"é\\n\\\"<\",\n  \"b\": [\n    1,\n    2.0,\n    true\n  ]\n}",
        render("{{ v|tojson(indent=2, sort_keys=true) }}", "v", value));
    assertEquals("\"\\u00e9\"", render("{{ 'é'|tojson(ensure_ascii=true) }}"));
  }

  @Test
  void undefinedPrintsNothingIsFalseAndFailsWhenUsedAsAnObject() {
    assertEquals(
        "|False|0|True|x",
        render(
            "{{ nope }}|{{ nope is defined }}|{{ nope|length }}|{{ not nope }}|{{ nope|default('x') }}"));
    Map<String, Object> message = Map.of("role", "user");
    assertEquals("|False", render("{{ m.content }}|{{ m.content is defined }}", "m", message));
    TemplateException e = assertThrows(TemplateException.class, () -> render("\n{{ nope.attr }}"));
    assertEquals("line 2: 'nope' is undefined", e.getMessage());
  }

  @Test
  void pythonValuesPrintAsPythonPrintsThem() {
    assertEquals(
        "None True 1.0 1e-05 [1, 'a', None] {'k': (1,)} 2.5 3",
        render(
            "{{ none }} {{ true }} {{ 1.0 }} {{ 0.00001 }} {{ [1, 'a', none] }} {{ {'k': (1,)} }} {{ 10 / 4 }} {{ 7 // 2 }}"));
  }

  @Test
  void unsupportedConstructsAreErrorsNamingConstructAndLine() {
    UnsupportedConstructException tag =
        assertThrows(
            UnsupportedConstructException.class,
            () -> JinjaTemplate.parse("a\n\n{% include 'x.jinja' %}"));
    assertEquals("tag 'include'", tag.construct());
    assertEquals(3, tag.line());
    assertEquals(
        "line 3: tag 'include' is not supported by this chat template interpreter",
        tag.getMessage());
    UnsupportedConstructException filter =
        assertThrows(
            UnsupportedConstructException.class,
            () -> JinjaTemplate.parse("{{ x }}\n{{ x|groupby('a') }}"));
    assertEquals("filter 'groupby'", filter.construct());
    assertEquals(2, filter.line());
    UnsupportedConstructException method =
        assertThrows(UnsupportedConstructException.class, () -> render("{{ 'a'.format(1) }}"));
    assertEquals("the string method format()", method.construct());
    assertThrows(
        UnsupportedConstructException.class, () -> render("{{ x.append(1) }}", "x", List.of()));
  }

  @Test
  void raiseExceptionAndStrftimeNow() {
    TemplateException e =
        assertThrows(
            TemplateException.class, () -> render("{{ raise_exception('roles must alternate') }}"));
    assertEquals("line 1: roles must alternate", e.getMessage());
    assertEquals("05 Aug 2025 10:15", render("{{ strftime_now('%d %b %Y %H:%M') }}"));
  }

  @Test
  void generationBlocksRecordTheirSpans() {
    JinjaTemplate template = JinjaTemplate.parse("a{% generation %}bc{% endgeneration %}d");
    assertTrue(template.hasGenerationBlocks());
    Rendered rendered = template.render(Map.of(), CLOCK);
    assertEquals("abcd", rendered.text());
    assertEquals(List.of(new Span(1, 3)), rendered.generation());
    assertFalse(JinjaTemplate.parse("{{ x }}").hasGenerationBlocks());
  }
}
