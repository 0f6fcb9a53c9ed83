package ai.llep.aten;

/**
 * A libtorch version as {@code aoti_torch_abi_version()} packs it: major in bits 56-63, minor in
 * 48-55, patch in 40-47 (2.7.1 is {@code 0x0207010000000000}).
 */
public record AbiVersion(int major, int minor, int patch) implements Comparable<AbiVersion> {
  /** The first version with {@code torch_call_dispatcher}, lists, strings and the wide Device. */
  public static final AbiVersion V2_10 = new AbiVersion(2, 10, 0);

  public AbiVersion {
    if (major < 0 || minor < 0 || patch < 0 || major > 255 || minor > 255 || patch > 255) {
      throw new IllegalArgumentException(
          "version parts must be in [0, 255], got " + major + "." + minor + "." + patch);
    }
  }

  public static AbiVersion fromPacked(long packed) {
    return new AbiVersion(
        (int) (packed >>> 56) & 0xff, (int) (packed >>> 48) & 0xff, (int) (packed >>> 40) & 0xff);
  }

  public long packed() {
    return ((long) major << 56) | ((long) minor << 48) | ((long) patch << 40);
  }

  public boolean atLeast(AbiVersion other) {
    return compareTo(other) >= 0;
  }

  @Override
  public int compareTo(AbiVersion o) {
    return Long.compareUnsigned(packed(), o.packed());
  }

  @Override
  public String toString() {
    return major + "." + minor + "." + patch;
  }
}
