/**
 * An interpreter of the Jinja subset that Hugging Face chat templates use, written to render
 * exactly what transformers' {@code apply_chat_template} renders ({@link
 * ai.llep.models.template.JinjaTemplate}). Lexer and parser follow Jinja's own rules (whitespace
 * control, {@code trim_blocks}, {@code lstrip_blocks}, precedence); the evaluator follows Python's
 * value semantics (truth, {@code ==}, {@code repr}, float printing, slicing, {@code json.dumps})
 * and Jinja's scoping and undefined values. What it does not implement is an error naming the
 * construct and its line, never a different rendering.
 */
package ai.llep.models.template;
