package ai.llep.trainer.config;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import com.typesafe.config.Config;
import java.io.IOException;
import java.io.OutputStream;
import java.net.URL;
import java.net.URLClassLoader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.jar.JarEntry;
import java.util.jar.JarOutputStream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class SearchPathTest {
  @TempDir Path dir;

  /** A jar laid out like the trainer's: configs/ with base.conf and one group. */
  private Path jar(Map<String, String> files) throws IOException {
    Path jar = dir.resolve("configs.jar");
    try (OutputStream out = Files.newOutputStream(jar);
        JarOutputStream zip = new JarOutputStream(out)) {
      for (String folder : List.of("configs/", "configs/model/")) {
        zip.putNextEntry(new JarEntry(folder));
        zip.closeEntry();
      }
      for (Map.Entry<String, String> file : files.entrySet()) {
        zip.putNextEntry(new JarEntry(file.getKey()));
        zip.write(file.getValue().getBytes(StandardCharsets.UTF_8));
        zip.closeEntry();
      }
    }
    return jar;
  }

  @Test
  void listsAndReadsConfigsInsideAJar() throws IOException {
    Path jar =
        jar(
            Map.of(
                "configs/base.conf", "seed = 1\ndefaults { model = tiny }\n",
                "configs/model/tiny.conf", "layers = 2\n",
                "configs/model/big.conf", "include \"tiny.conf\"\nlayers = 48\n"));
    try (URLClassLoader classLoader = new URLClassLoader(new URL[] {jar.toUri().toURL()}, null)) {
      ConfigLoader loader = new ConfigLoader(List.of(), classLoader);
      SearchPath searchPath = new SearchPath(List.of(), classLoader);
      assertEquals(List.of("model"), List.copyOf(searchPath.groups()));
      assertEquals(List.of("big", "tiny"), List.copyOf(searchPath.options("model")));
      assertEquals(2, loader.load(Optional.empty(), List.of()).config().getInt("model.layers"));
      Config big = loader.load(Optional.empty(), List.of("model=big", "seed=4")).config();
      assertEquals(48, big.getInt("model.layers"));
      assertEquals(4, big.getInt("seed"));
      ConfigError error =
          assertThrows(
              ConfigError.class, () -> loader.load(Optional.empty(), List.of("model=huge")));
      assertEquals(
          "unknown option 'huge' for config group 'model' (command line); valid options: big, tiny",
          error.getMessage());
    }
  }

  @Test
  void extraDirectoriesComeFirstAndAddGroups() throws IOException {
    Path first = Files.createDirectories(dir.resolve("first/llep"));
    Path second = Files.createDirectories(dir.resolve("second/llep"));
    Files.createDirectories(dir.resolve("second/optim"));
    Files.writeString(first.resolve("ep.conf"), "mode = first\n");
    Files.writeString(second.resolve("ep.conf"), "mode = second\n");
    Files.writeString(second.resolve("extra.conf"), "mode = extra\n");
    Files.writeString(second.resolve("notes.txt"), "not an option\n");
    Files.writeString(dir.resolve("second/optim/adamw.conf"), "lr = 1e-4\n");
    SearchPath searchPath =
        new SearchPath(
            List.of(dir.resolve("first"), dir.resolve("second")), getClass().getClassLoader());
    assertEquals(List.of("comm", "llep", "optim"), List.copyOf(searchPath.groups()));
    assertEquals(
        List.of("always", "cpu-test", "default", "ep", "extra"),
        List.copyOf(searchPath.options("llep")));
    assertEquals(Optional.of(first.resolve("ep.conf")), searchPath.option("llep", "ep"));
    assertEquals(Optional.empty(), searchPath.option("llep", "notes"));
    assertEquals(Optional.empty(), searchPath.option("llep", "../comm/tcp"));
  }

  @Test
  void missingBaseOnTheClasspathSaysSo() throws IOException {
    try (URLClassLoader empty = new URLClassLoader(new URL[0], null)) {
      ConfigError error = assertThrows(ConfigError.class, () -> new SearchPath(List.of(), empty));
      assertEquals("configs/base.conf is not on the classpath", error.getMessage());
    }
  }
}
