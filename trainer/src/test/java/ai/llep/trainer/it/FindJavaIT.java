package ai.llep.trainer.it;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Duration;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * scripts/find-java.sh through the launcher and mvnw, on a machine like a Debian one: the default
 * java (first on PATH, and JAVA_HOME) is 17, and a JDK 25 sits in the system's JVM folder
 * (LLEP_JDK_ROOTS stands in for /usr/lib/jvm and the other usual folders).
 */
class FindJavaIT {
  private static final Pattern USING = Pattern.compile("using Java (\\d+) at (\\S+) \\((.*)\\)");

  private Path tmp;
  private Path old;
  private Map<String, String> env;

  @BeforeEach
  void fakeJava17FirstOnPathAndInJavaHome(@TempDir Path tmp) throws IOException {
    this.tmp = tmp;
    old = tmp.resolve("jdk-17");
    Files.createDirectories(old.resolve("bin"));
    String script =
        "#!/bin/sh\n"
            + "echo 'Property settings:' >&2\n"
            + "echo '    java.specification.version = 17' >&2\n"
            + "echo 'openjdk version \"17.0.15\"' >&2\n";
    for (String tool : new String[] {"java", "javac"}) {
      Path file = Files.writeString(old.resolve("bin").resolve(tool), script);
      Files.setPosixFilePermissions(file, PosixFilePermissions.fromString("rwxr-xr-x"));
    }
    env = new HashMap<>();
    env.put("JAVA_HOME", old.toString());
    env.put("PATH", old.resolve("bin") + ":" + System.getenv("PATH"));
  }

  @Test
  void theLauncherFindsTheJdk25BesideTheDefaultJava() throws IOException {
    Path roots = Files.createDirectories(tmp.resolve("jvm"));
    Path jdk = Files.createSymbolicLink(roots.resolve("jdk-new"), Path.of(javaHome()));
    env.put("LLEP_JDK_ROOTS", roots.toString());
    Launch.Outcome outcome =
        Launch.launch(null, env, Duration.ofSeconds(30), List.of("--dry-run", "plan"));
    assertEquals(0, outcome.exitCode(), outcome.output());
    Matcher using = USING.matcher(outcome.output());
    assertTrue(using.find(), outcome.output());
    assertTrue(Integer.parseInt(using.group(1)) >= 25, outcome.output());
    assertEquals(jdk.toString(), using.group(2));
    assertTrue(using.group(3).contains("JAVA_HOME=" + old + " is Java 17"), outcome.output());
    assertTrue(outcome.output().lines().anyMatch(("java=" + jdk + "/bin/java")::equals));
  }

  @Test
  void withNoJdk25AnywhereTheMessageSaysWhatToInstall() throws IOException {
    env.put("LLEP_JDK_ROOTS", Files.createDirectories(tmp.resolve("empty")).toString());
    Launch.Outcome outcome =
        Launch.launch(null, env, Duration.ofSeconds(30), List.of("--dry-run", "plan"));
    assertNotEquals(0, outcome.exitCode(), outcome.output());
    assertTrue(outcome.output().contains("launch: no JDK 25 or newer found"), outcome.output());
    assertTrue(outcome.output().contains("is Java 17"), outcome.output());
    assertTrue(outcome.output().contains("install a JDK 25 or newer"), outcome.output());
  }

  @Test
  void mvnwFindsItToo() throws Exception {
    Path roots = Files.createDirectories(tmp.resolve("jvm"));
    Path jdk = Files.createSymbolicLink(roots.resolve("jdk-new"), Path.of(javaHome()));
    env.put("LLEP_JDK_ROOTS", roots.toString());
    ProcessBuilder builder =
        new ProcessBuilder(Launch.projectRoot().resolve("mvnw").toString(), "-B", "--version")
            .redirectErrorStream(true);
    builder.environment().putAll(env);
    Path log = tmp.resolve("mvnw.log");
    builder.redirectOutput(log.toFile());
    Process process = builder.start();
    assertTrue(process.waitFor(60, TimeUnit.SECONDS), "mvnw --version did not finish");
    String output = Files.readString(log, StandardCharsets.UTF_8);
    assertEquals(0, process.exitValue(), output);
    assertTrue(output.contains(" at " + jdk + " (found in " + roots), output);
    Matcher maven = Pattern.compile("Java version: (\\d+)").matcher(output);
    assertTrue(maven.find() && Integer.parseInt(maven.group(1)) >= 25, output);
  }

  private static String javaHome() {
    return System.getProperty("java.home");
  }
}
