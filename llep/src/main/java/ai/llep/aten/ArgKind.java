package ai.llep.aten;

/**
 * The argument types this binding puts on a dispatcher stack, named as in ATen's schema language.
 * An optional ({@code T?}) is 0 for None, otherwise the address of a heap box holding the value;
 * lists are libtorch list handles and exist only from libtorch 2.10 on.
 */
public enum ArgKind {
  TENSOR("Tensor"),
  OPTIONAL_TENSOR("Tensor?"),
  INT("int"),
  OPTIONAL_INT("int?"),
  DOUBLE("float"),
  OPTIONAL_DOUBLE("float?"),
  BOOL("bool"),
  OPTIONAL_BOOL("bool?"),
  SCALAR_TYPE("ScalarType"),
  OPTIONAL_SCALAR_TYPE("ScalarType?"),
  DEVICE("Device"),
  OPTIONAL_DEVICE("Device?"),
  /**
   * An optional of a type this binding does not encode (Layout?, MemoryFormat?, ...): None only.
   */
  OPTIONAL_NONE_ONLY("(other)?"),
  INT_LIST("int[]"),
  TENSOR_LIST("Tensor[]");

  private final String schemaName;

  ArgKind(String schemaName) {
    this.schemaName = schemaName;
  }

  /** True for the kinds whose None is encoded as 0. */
  public boolean optional() {
    return schemaName.endsWith("?");
  }

  /** True for the kinds that need libtorch's list handles (libtorch 2.10 and later). */
  public boolean list() {
    return this == INT_LIST || this == TENSOR_LIST;
  }

  @Override
  public String toString() {
    return schemaName;
  }
}
