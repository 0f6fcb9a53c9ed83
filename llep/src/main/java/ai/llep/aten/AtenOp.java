package ai.llep.aten;

import java.util.ArrayList;
import java.util.List;

/**
 * One ATen operator overload as this binding calls it, declared by its schema text exactly as
 * libtorch registers it (defaults may be left out; they are never applied: every argument is passed
 * by the caller). For example {@code aten::scatter_add(Tensor self, int dim, Tensor index, Tensor
 * src) -> Tensor}.
 *
 * <p>The parser refuses what the stable ABI cannot carry or what would make a failed call unsafe to
 * repeat: {@code Scalar} and {@code str} arguments (no version up to 2.13 converts a Scalar, and
 * strings need 2.10), optional lists, in-place and out= overloads (an argument annotated {@code
 * (a!)}), and returns that mix kinds or hold lists (libtorch pairs each popped return with the type
 * of the return at the other end of the list, so mixed kinds convert wrongly).
 *
 * <p>{@link #parseMutating} accepts the in-place overloads of optimizer kernels (multi-tensor
 * {@code _fused_adamw_}): those kernels check every input before they write, so a call that fails
 * failed before changing anything and can be repeated to read its message.
 *
 * @param name the qualified operator name, {@code aten::scaled_dot_product_attention}
 * @param overload the overload name, "" for the default one
 * @param mutating whether the operator writes to some of its arguments
 */
public record AtenOp(
    String name,
    String overload,
    List<Argument> arguments,
    List<ReturnKind> returns,
    boolean mutating) {

  /** One declared argument. */
  public record Argument(String name, ArgKind kind) {}

  public AtenOp {
    if (!name.contains("::") || name.endsWith("::")) {
      throw new IllegalArgumentException("operator name must be namespace::name, got " + name);
    }
    arguments = List.copyOf(arguments);
    returns = List.copyOf(returns);
    if (returns.stream().distinct().count() > 1) {
      throw new IllegalArgumentException(name + ": returns of mixed kinds " + returns);
    }
  }

  /**
   * Parses a schema.
   *
   * @throws IllegalArgumentException naming the argument or return that cannot be carried
   */
  public static AtenOp parse(String schema) {
    return parse(schema, false);
  }

  /**
   * Parses the schema of an in-place overload whose kernel checks its inputs before writing (see
   * the class comment); arguments annotated {@code (a!)} are accepted, and nothing is returned.
   */
  public static AtenOp parseMutating(String schema) {
    AtenOp op = parse(schema, true);
    if (!op.returns().isEmpty()) {
      throw new IllegalArgumentException(op.qualifiedName() + ": an in-place call returns nothing");
    }
    return op;
  }

  /**
   * Parses the schema of an element-wise in-place overload that returns its {@code self} ({@code
   * exp_}, {@code scatter_add_}): its checks (types, shapes) run before it writes. The returned
   * tensor is another handle to {@code self}.
   */
  public static AtenOp parseInPlace(String schema) {
    AtenOp op = parse(schema, true);
    if (op.returns().size() != 1 || op.returns().getFirst() != ReturnKind.TENSOR) {
      throw new IllegalArgumentException(op.qualifiedName() + ": an in-place call returns self");
    }
    return op;
  }

  private static AtenOp parse(String schema, boolean mutating) {
    int open = schema.indexOf('(');
    int arrow = schema.lastIndexOf("->");
    int close = arrow < 0 ? -1 : schema.lastIndexOf(')', arrow);
    if (open < 0 || close < open || arrow < 0) {
      throw new IllegalArgumentException("not an operator schema: " + schema);
    }
    String qualified = schema.substring(0, open).strip();
    int dot = qualified.indexOf('.', qualified.indexOf("::"));
    String name = dot < 0 ? qualified : qualified.substring(0, dot);
    String overload = dot < 0 ? "" : qualified.substring(dot + 1);
    List<Argument> arguments = new ArrayList<>();
    for (String part : splitTopLevel(schema.substring(open + 1, close))) {
      if (!part.equals("*")) {
        arguments.add(argument(qualified, part, mutating));
      }
    }
    List<ReturnKind> returns = returns(qualified, schema.substring(arrow + 2).strip());
    return new AtenOp(name, overload, arguments, returns, mutating);
  }

  /** {@code aten::name.overload}, or {@code aten::name} for the default overload. */
  public String qualifiedName() {
    return overload.isEmpty() ? name : name + "." + overload;
  }

  /** True when some argument needs libtorch's list handles (libtorch 2.10 and later). */
  public boolean needsLists() {
    return arguments.stream().anyMatch(a -> a.kind().list());
  }

  private static Argument argument(String op, String text, boolean mutating) {
    String declaration = text.contains("=") ? text.substring(0, text.indexOf('=')) : text;
    declaration = declaration.strip();
    int space = declaration.lastIndexOf(' ');
    if (space < 0) {
      throw new IllegalArgumentException(op + ": argument '" + text + "' has no name");
    }
    String type = declaration.substring(0, space).strip();
    String argName = declaration.substring(space + 1).strip();
    if (type.contains("!") && !mutating) {
      throw new IllegalArgumentException(
          op
              + ": argument "
              + argName
              + " is written to ("
              + type
              + "); only functional overloads can be called (a failed call is repeated to read"
              + " its message)");
    }
    return new Argument(argName, kindOf(op, argName, type));
  }

  private static ArgKind kindOf(String op, String argName, String type) {
    String bare = type.replaceAll("\\([a-z]+!?\\)", "").replaceAll("\\[[0-9]*]", "[]");
    return switch (bare) {
      case "Tensor" -> ArgKind.TENSOR;
      case "Tensor?" -> ArgKind.OPTIONAL_TENSOR;
      case "int", "SymInt" -> ArgKind.INT;
      case "int?", "SymInt?" -> ArgKind.OPTIONAL_INT;
      case "float" -> ArgKind.DOUBLE;
      case "float?" -> ArgKind.OPTIONAL_DOUBLE;
      case "bool" -> ArgKind.BOOL;
      case "bool?" -> ArgKind.OPTIONAL_BOOL;
      case "ScalarType" -> ArgKind.SCALAR_TYPE;
      case "ScalarType?" -> ArgKind.OPTIONAL_SCALAR_TYPE;
      case "Device" -> ArgKind.DEVICE;
      case "Device?" -> ArgKind.OPTIONAL_DEVICE;
      case "Layout?", "MemoryFormat?", "Generator?" -> ArgKind.OPTIONAL_NONE_ONLY;
      case "int[]", "SymInt[]" -> ArgKind.INT_LIST;
      case "Tensor[]" -> ArgKind.TENSOR_LIST;
      default ->
          throw new IllegalArgumentException(
              op
                  + ": argument "
                  + argName
                  + " of type "
                  + type
                  + " cannot be passed through the stable ABI by this binding"
                  + (bare.startsWith("Scalar")
                      ? " (no libtorch up to 2.13 converts a Scalar)"
                      : ""));
    };
  }

  private static List<ReturnKind> returns(String op, String text) {
    String inner = text.startsWith("(") ? text.substring(1, text.lastIndexOf(')')) : text;
    List<ReturnKind> out = new ArrayList<>();
    for (String part : splitTopLevel(inner)) {
      String type = part.strip().split(" ")[0].replaceAll("\\([a-z]+!?\\)", "");
      out.add(
          switch (type) {
            case "Tensor" -> ReturnKind.TENSOR;
            case "int", "SymInt" -> ReturnKind.INT;
            case "float" -> ReturnKind.DOUBLE;
            case "bool" -> ReturnKind.BOOL;
            default ->
                throw new IllegalArgumentException(
                    op + ": return type " + part.strip() + " is not supported");
          });
    }
    return out;
  }

  /** Splits at commas outside brackets and parentheses; drops empty parts. */
  private static List<String> splitTopLevel(String text) {
    List<String> parts = new ArrayList<>();
    int depth = 0;
    int start = 0;
    for (int i = 0; i <= text.length(); i++) {
      char c = i < text.length() ? text.charAt(i) : ',';
      if (c == '(' || c == '[') {
        depth++;
      } else if (c == ')' || c == ']') {
        depth--;
      } else if (c == ',' && depth == 0) {
        String part = text.substring(start, i).strip();
        if (!part.isEmpty()) {
          parts.add(part);
        }
        start = i + 1;
      }
    }
    return parts;
  }
}
