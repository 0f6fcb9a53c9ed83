package ai.llep.trainer.natives;

import ai.djl.util.ClassLoaderUtils;
import ai.djl.util.Platform;
import ai.djl.util.Utils;
import java.io.File;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.URL;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Comparator;
import java.util.List;
import java.util.Optional;
import java.util.Properties;
import java.util.regex.Pattern;
import java.util.stream.Stream;

/**
 * What DJL 0.36 unpacks into its engine cache from the jars on the class path, checked file by file
 * against the jar entries' sizes. Paths follow DJL's own {@code LibUtils} (PyTorch engine and
 * tokenizers): libtorch in {@code pytorch/<version>-<flavor>-<classifier>/} with the JNI beside it
 * as {@code <djl version>-libdjl_torch.so}, and {@code
 * tokenizers/<version>-<flavor>-<classifier>[/<cuda arch>]/libtokenizers.so}.
 *
 * <p>DJL writes each folder or file under a temporary name and renames it into place, so it never
 * publishes a half-written file; but it deletes the libtorch folder whenever it lacks {@code
 * libtorch.so}, which destroys a folder another process has just renamed into place, and a crash
 * while deleting leaves {@code libtorch.so} without its siblings, which DJL then trusts. {@link
 * #repair} removes such folders and the temporary leftovers of crashed extractions.
 */
final class NativeCache {
  /** Younger leftovers may belong to another program's extraction in progress. */
  static final Duration STALE_AFTER = Duration.ofMinutes(10);

  private static final Pattern TEMP_FOLDER = Pattern.compile("tmp\\d+");
  private static final Pattern TEMP_FILE = Pattern.compile("jni\\d+tmp|.*\\.tmp");
  private static final Pattern VERSION = Pattern.compile("(\\d+\\.\\d+\\.\\d+(-[a-z]+)?).*");

  /**
   * One file DJL needs in the cache.
   *
   * @param file where DJL reads it
   * @param size the size of the jar entry it comes from, or -1 where unknown
   * @param unit what to delete when the file is wrong: the folder DJL unpacks in one piece, or the
   *     file itself
   */
  record Expected(Path file, long size, Path unit) {
    boolean present() {
      try {
        return Files.isRegularFile(file) && (size < 0 || Files.size(file) == size);
      } catch (IOException e) {
        return false;
      }
    }
  }

  private final Path root;
  private final List<Expected> expected;
  private final List<String> undecided;
  private final boolean tokenizersOnClassPath;

  private NativeCache(
      Path root, List<Expected> expected, List<String> undecided, boolean tokenizersOnClassPath) {
    this.root = root;
    this.expected = List.copyOf(expected);
    this.undecided = List.copyOf(undecided);
    this.tokenizersOnClassPath = tokenizersOnClassPath;
  }

  /** The cache under {@code root} as the jars on this class path and the environment define it. */
  static NativeCache forClassPath(Path root) {
    List<Expected> expected = new ArrayList<>();
    List<String> undecided = new ArrayList<>();
    pytorch(root, expected, undecided);
    boolean tokenizers = tokenizers(root, expected, undecided);
    return new NativeCache(root, expected, undecided, tokenizers);
  }

  /**
   * What is not in place yet, relative to the cache root; also what DJL would fetch or choose at
   * load time (which this class does not predict), so that such a load runs under the lock.
   */
  List<String> missing() {
    List<String> missing = new ArrayList<>(undecided);
    for (Expected e : expected) {
      if (!e.present()) {
        missing.add(root.relativize(e.file()).toString());
      }
    }
    return missing;
  }

  /** Every file DJL needs in the cache, as far as this class predicts them. */
  List<Expected> expected() {
    return expected;
  }

  /** Whether DJL's tokenizers library describes itself on the class path (its properties file). */
  boolean tokenizersOnClassPath() {
    return tokenizersOnClassPath;
  }

  /** Temporary folders and files of extractions that ended more than {@link #STALE_AFTER} ago. */
  List<Path> staleLeftovers() {
    Instant before = Instant.now().minus(STALE_AFTER);
    List<Path> stale = new ArrayList<>();
    for (String engine : new String[] {"pytorch", "tokenizers"}) {
      Path dir = root.resolve(engine);
      if (!Files.isDirectory(dir)) {
        continue;
      }
      try (Stream<Path> paths = Files.walk(dir, 3)) {
        paths
            .filter(p -> isLeftover(dir, p))
            .filter(p -> modifiedBefore(p, before))
            .forEach(stale::add);
      } catch (IOException | UncheckedIOException e) {
        // A folder that vanished while listed was another process's; nothing to clean there.
      }
    }
    return stale;
  }

  /**
   * Deletes every unit holding a missing or wrong-sized file (DJL unpacks it again) and the stale
   * leftovers. Only to be called while holding the cache lock.
   */
  void repair() throws IOException {
    for (Expected e : expected) {
      if (!e.present() && Files.exists(e.unit())) {
        deleteTree(e.unit());
      }
    }
    for (Path leftover : staleLeftovers()) {
      deleteTree(leftover);
    }
  }

  private static boolean isLeftover(Path engineDir, Path p) {
    String name = p.getFileName().toString();
    if (Files.isDirectory(p)) {
      // DJL makes them beside the folder it fills: in the engine folder, or (tokenizers for a
      // CUDA architecture) one level down.
      return TEMP_FOLDER.matcher(name).matches() && engineDir.relativize(p).getNameCount() <= 2;
    }
    return Files.isRegularFile(p) && TEMP_FILE.matcher(name).matches();
  }

  private static boolean modifiedBefore(Path p, Instant before) {
    try {
      return Files.getLastModifiedTime(p).toInstant().isBefore(before);
    } catch (IOException e) {
      return false;
    }
  }

  private static void deleteTree(Path top) throws IOException {
    try (Stream<Path> paths = Files.walk(top)) {
      for (Path p : paths.sorted(Comparator.reverseOrder()).toList()) {
        Files.deleteIfExists(p);
      }
    }
  }

  /** libtorch and the JNI as DJL unpacks them from the native and JNI jars (or nothing to do). */
  private static void pytorch(Path root, List<Expected> expected, List<String> undecided) {
    if (userLibtorch()) {
      return;
    }
    Platform platform = Platform.detectPlatform("pytorch");
    String override = Utils.getEnvOrSystemProperty("PYTORCH_VERSION");
    if (platform.isPlaceholder()
        || (override != null
            && !override.isEmpty()
            && !platform.getVersion().startsWith(override))) {
      undecided.add(
          "PyTorch " + platform.getVersion() + " (no matching native jar: DJL fetches it)");
      return;
    }
    String flavor = platform.getFlavor();
    if (!flavor.endsWith("-precxx11")
        && Arrays.asList(platform.getLibraries()).contains("libstdc++.so.6")) {
      flavor += "-precxx11";
    }
    String classifier = platform.getClassifier();
    Path dir =
        root.resolve("pytorch").resolve(platform.getVersion() + '-' + flavor + '-' + classifier);
    for (String library : platform.getLibraries()) {
      long size = resourceSize("pytorch/" + flavor + '/' + classifier + '/' + library);
      expected.add(new Expected(dir.resolve(library), size, dir));
    }
    String jniName = System.mapLibraryName("djl_torch");
    if (Files.exists(dir.resolve(jniName))) {
      return;
    }
    Path jni = dir.resolve(platform.getApiVersion() + '-' + jniName);
    if (!jniJarMatches(platform)) {
      undecided.add(root.relativize(jni) + " (no matching JNI jar: DJL fetches it)");
      return;
    }
    long size = resourceSize("jnilib/" + classifier + '/' + flavor + '/' + jniName);
    expected.add(new Expected(jni, size, jni));
  }

  /** PYTORCH_LIBRARY_PATH naming a libtorch: DJL loads it there and unpacks no libtorch. */
  private static boolean userLibtorch() {
    String path = Utils.getEnvOrSystemProperty("PYTORCH_LIBRARY_PATH");
    if (path == null) {
      return false;
    }
    String library = System.mapLibraryName("torch");
    return Arrays.stream(path.split(File.pathSeparator))
        .map(Path::of)
        .anyMatch(
            p ->
                (Files.isRegularFile(p) && p.getFileName().toString().equals(library))
                    || Files.isRegularFile(p.resolve(library)));
  }

  private static boolean jniJarMatches(Platform platform) {
    URL url = resource("jnilib/pytorch.properties");
    if (url == null) {
      return false;
    }
    Properties properties = new Properties();
    try (var in = url.openStream()) {
      properties.load(in);
    } catch (IOException e) {
      return false;
    }
    String jniVersion = properties.getProperty("jni_version", "");
    var version = VERSION.matcher(platform.getVersion());
    return version.matches()
        && jniVersion.startsWith(version.group(1) + '-' + platform.getApiVersion());
  }

  /** The tokenizers library; false when its jar lacks the properties file DJL describes it by. */
  private static boolean tokenizers(Path root, List<Expected> expected, List<String> undecided) {
    Platform platform;
    try {
      platform = Platform.detectPlatform("tokenizers");
    } catch (AssertionError | RuntimeException e) {
      return false; // DJL reports this itself when a tokenizer is loaded
    }
    if (Utils.getEnvOrSystemProperty("RUST_LIBRARY_PATH") != null) {
      return true;
    }
    String flavor =
        Optional.ofNullable(Utils.getEnvOrSystemProperty("RUST_FLAVOR"))
            .filter(f -> !f.isEmpty())
            .orElse(Utils.isOfflineMode() ? "cpu" : platform.getFlavor());
    if (!flavor.equals("cpu")) {
      undecided.add("tokenizers " + platform.getVersion() + " for " + flavor);
      return true;
    }
    String classifier = platform.getClassifier();
    Path dir = root.resolve("tokenizers").resolve(platform.getVersion() + "-cpu-" + classifier);
    String cudaArch = platform.getCudaArch();
    if (cudaArch != null && !cudaArch.isEmpty()) {
      dir = dir.resolve(cudaArch);
    }
    String library = System.mapLibraryName("tokenizers");
    long size = resourceSize("native/lib/" + classifier + "/cpu/" + library);
    expected.add(new Expected(dir.resolve(library), size, dir));
    return true;
  }

  /** The uncompressed size of a class path resource (a jar entry), or -1. */
  private static long resourceSize(String name) {
    URL url = resource(name);
    if (url == null) {
      return -1;
    }
    try {
      return url.openConnection().getContentLengthLong();
    } catch (IOException e) {
      return -1;
    }
  }

  private static URL resource(String name) {
    try {
      return ClassLoaderUtils.getResource(name);
    } catch (IOException e) {
      return null;
    }
  }
}
