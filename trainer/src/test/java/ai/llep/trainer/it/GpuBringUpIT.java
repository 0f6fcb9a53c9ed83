package ai.llep.trainer.it;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The way to a DJL JNI for the user's libtorch: bundle.sh's help points at the README section that
 * explains it, and scripts/build-djl-jni.sh refuses a folder that is not the DJL release the
 * project's jars are, before building anything.
 */
class GpuBringUpIT {
  private static final String SECTION = "A DJL JNI for your libtorch";

  @Test
  void bundleHelpPointsAtAReadmeSectionThatExists(@TempDir Path tmp) throws Exception {
    Path root = Launch.projectRoot();
    BundleIT.Run help = script(tmp, "bundle.sh", "--help");
    assertEquals(0, help.exitCode(), help.output());
    Matcher pointer =
        Pattern.compile("README.md, \"([^\"]+)\" > \"([^\"]+)\"").matcher(help.output());
    assertTrue(pointer.find(), "no README section named in:\n" + help.output());
    List<String> headings =
        Files.readAllLines(root.resolve("README.md")).stream()
            .filter(l -> l.startsWith("#"))
            .map(l -> l.replaceFirst("^#+ ", ""))
            .toList();
    assertTrue(headings.contains(pointer.group(1)), pointer.group(1) + " not in " + headings);
    assertTrue(headings.contains(pointer.group(2)), pointer.group(2) + " not in " + headings);
    assertEquals(SECTION, pointer.group(2));
  }

  @Test
  void buildDjlJniNamesWhatIsWrongWithTheSourceFolder(@TempDir Path tmp) throws Exception {
    BundleIT.Run missing = script(tmp, "build-djl-jni.sh", "--djl-src", tmp.toString());
    assertEquals(2, missing.exitCode(), missing.output());
    assertTrue(
        missing.output().contains("CMakeLists.txt not found: --djl-src must be the root of a DJL"),
        missing.output());

    Path djl = tmp.resolve("djl");
    Path nativeDir = djl.resolve("engines/pytorch/pytorch-native");
    Files.createDirectories(nativeDir.resolve("src/main/native"));
    Files.writeString(nativeDir.resolve("CMakeLists.txt"), "");
    Path jni = djl.resolve("engines/pytorch/pytorch-engine/src/main/java/ai/djl/pytorch/jni");
    Files.createDirectories(jni);
    Files.writeString(jni.resolve("PyTorchLibrary.java"), "");
    Files.createDirectories(djl.resolve("api/src/main/native/djl"));
    Files.writeString(djl.resolve("api/src/main/native/djl/utils.h"), "");
    Files.createDirectories(djl.resolve("gradle"));
    Files.writeString(djl.resolve("gradle/libs.versions.toml"), "djl = \"0.30.0\"\n");
    BundleIT.Run older = script(tmp, "build-djl-jni.sh", "--djl-src", djl.toString());
    assertEquals(2, older.exitCode(), older.output());
    assertTrue(
        older
            .output()
            .matches(
                "(?s).*--djl-src is DJL '0\\.30\\.0', but this project's jars are"
                    + " DJL \\d+\\.\\d+\\.\\d+: check out tag v\\d+.*"),
        older.output());
  }

  private static BundleIT.Run script(Path tmp, String name, String... args) throws Exception {
    List<String> command = new java.util.ArrayList<>();
    command.add(Launch.projectRoot().resolve("scripts").resolve(name).toString());
    command.addAll(List.of(args));
    return BundleIT.run(command, tmp, 30, Map.of());
  }
}
