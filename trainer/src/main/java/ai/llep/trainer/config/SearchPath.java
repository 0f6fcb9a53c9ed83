package ai.llep.trainer.config;

import java.io.IOException;
import java.net.URI;
import java.net.URISyntaxException;
import java.net.URL;
import java.nio.file.FileSystemAlreadyExistsException;
import java.nio.file.FileSystems;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.SortedSet;
import java.util.TreeSet;
import java.util.stream.Stream;

/**
 * Where config files are found: the user's extra directories in the order given, then the bundled
 * {@code configs/} folder on the classpath (a directory, or a folder inside a jar). The first
 * directory holding {@code <group>/<option>.conf} supplies that option; {@code base.conf} always
 * comes from the classpath.
 */
final class SearchPath {
  static final String RESOURCE_ROOT = "configs";
  private static final String SUFFIX = ".conf";

  private final List<Path> roots;
  private final Path base;

  SearchPath(List<Path> extraDirs, ClassLoader loader) {
    List<Path> all = new ArrayList<>();
    for (Path dir : extraDirs) {
      if (!Files.isDirectory(dir)) {
        throw new ConfigError("config search directory does not exist: " + dir);
      }
      all.add(dir);
    }
    Path bundled = bundledRoot(loader);
    all.add(bundled);
    this.roots = List.copyOf(all);
    this.base = bundled.resolve("base.conf");
  }

  Path base() {
    return base;
  }

  /** Every group: a folder in any root. */
  SortedSet<String> groups() {
    SortedSet<String> groups = new TreeSet<>();
    for (Path root : roots) {
      for (Path child : list(root)) {
        if (Files.isDirectory(child)) {
          groups.add(name(child));
        }
      }
    }
    return groups;
  }

  /** Every option of {@code group} in any root, by name. */
  SortedSet<String> options(String group) {
    SortedSet<String> options = new TreeSet<>();
    for (Path root : roots) {
      Path dir = root.resolve(group);
      if (!Files.isDirectory(dir)) {
        continue;
      }
      for (Path file : list(dir)) {
        String fileName = name(file);
        if (fileName.endsWith(SUFFIX) && Files.isRegularFile(file)) {
          options.add(fileName.substring(0, fileName.length() - SUFFIX.length()));
        }
      }
    }
    return options;
  }

  /** The file of {@code group}'s {@code option} from the first root that has it. */
  Optional<Path> option(String group, String option) {
    if (!options(group).contains(option)) {
      return Optional.empty();
    }
    return roots.stream()
        .map(root -> root.resolve(group).resolve(option + SUFFIX))
        .filter(Files::isRegularFile)
        .findFirst();
  }

  private static Path bundledRoot(ClassLoader loader) {
    String resource = RESOURCE_ROOT + "/base.conf";
    URL url = loader.getResource(resource);
    if (url == null) {
      throw new ConfigError(resource + " is not on the classpath");
    }
    URI uri;
    try {
      uri = url.toURI();
    } catch (URISyntaxException e) {
      throw new ConfigError("cannot read the bundled configs at " + url, e);
    }
    return switch (uri.getScheme()) {
      case "file" -> Path.of(uri).getParent();
      case "jar" -> openJar(uri).getParent();
      default -> throw new ConfigError("cannot list the bundled configs at " + url);
    };
  }

  // The jar's file system stays open for the JVM's life: option files are listed and read on
  // every load, and the jar itself is held open by the class loader anyway.
  private static synchronized Path openJar(URI uri) {
    try {
      FileSystems.newFileSystem(uri, Map.of());
    } catch (FileSystemAlreadyExistsException e) {
      // Opened by an earlier loader; Path.of below finds it.
    } catch (IOException e) {
      throw new ConfigError("cannot open the bundled configs at " + uri, e);
    }
    return Path.of(uri);
  }

  private static List<Path> list(Path dir) {
    try (Stream<Path> children = Files.list(dir)) {
      return children.toList();
    } catch (IOException e) {
      throw new ConfigError("cannot list config directory " + dir, e);
    }
  }

  private static String name(Path path) {
    return path.getFileName().toString();
  }
}
