package ai.llep.models.template;

/**
 * Jinja's default {@code Undefined}: a missing variable, attribute or item. It prints as nothing,
 * is false, iterates as empty and has length 0; using it as an object (attribute, item, arithmetic,
 * call) is an error that says what was missing.
 *
 * @param hint what is missing, as Jinja words it ({@code 'x' is undefined})
 */
record Undefined(String hint) {
  static Undefined variable(String name) {
    return new Undefined("'" + name + "' is undefined");
  }

  static Undefined attribute(Object owner, Object name) {
    return new Undefined(
        "'" + Py.typeName(owner) + " object' has no attribute " + PyFormat.repr(name));
  }

  TemplateException error(int line) {
    return new TemplateException(hint, line);
  }
}
