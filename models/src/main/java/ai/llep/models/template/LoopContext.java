package ai.llep.models.template;

import java.util.List;

/** The {@code loop} variable of a for loop. */
final class LoopContext {
  private final List<Object> items;
  int index0;

  LoopContext(List<Object> items) {
    this.items = items;
  }

  /** {@code loop.name}, or undefined for a name a loop does not have. */
  Object attribute(String name, int line) {
    int length = items.size();
    return switch (name) {
      case "index" -> (long) index0 + 1;
      case "index0" -> (long) index0;
      case "revindex" -> (long) (length - index0);
      case "revindex0" -> (long) (length - index0 - 1);
      case "first" -> index0 == 0;
      case "last" -> index0 == length - 1;
      case "length" -> (long) length;
      case "depth" -> 1L;
      case "depth0" -> 0L;
      case "previtem" ->
          index0 > 0 ? items.get(index0 - 1) : new Undefined("there is no previous item");
      case "nextitem" ->
          index0 < length - 1 ? items.get(index0 + 1) : new Undefined("there is no next item");
      case "cycle" ->
          (PyCallable)
              (args, kwargs, at) -> {
                if (args.isEmpty()) {
                  throw new TemplateException("no items for cycling given", at);
                }
                return args.get(index0 % args.size());
              };
      case "changed" -> throw new UnsupportedConstructException("loop.changed", line);
      default -> Undefined.attribute(this, name);
    };
  }

  @Override
  public String toString() {
    return "<LoopContext " + (index0 + 1) + "/" + items.size() + ">";
  }
}
