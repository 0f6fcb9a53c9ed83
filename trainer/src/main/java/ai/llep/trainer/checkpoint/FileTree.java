package ai.llep.trainer.checkpoint;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.stream.Stream;
import org.apache.commons.io.file.PathUtils;

/** Walking and deleting folders of checkpoint files. */
final class FileTree {
  private FileTree() {}

  /** Regular files under {@code dir}, as paths relative to it, in sorted order. */
  static List<Path> files(Path dir) throws IOException {
    List<Path> files = new ArrayList<>();
    try (Stream<Path> walk = Files.walk(dir)) {
      walk.filter(Files::isRegularFile).map(dir::relativize).forEach(files::add);
    }
    files.sort(Comparator.comparing(FileTree::portable));
    return files;
  }

  /** A relative path with {@code /} separators, as manifests store it. */
  static String portable(Path relative) {
    StringBuilder out = new StringBuilder();
    for (Path part : relative) {
      if (!out.isEmpty()) {
        out.append('/');
      }
      out.append(part);
    }
    return out.toString();
  }

  /** Flushes every file and folder under {@code dir} (itself included) to disk. */
  static void sync(Path dir) throws IOException {
    List<Path> dirs = new ArrayList<>();
    try (Stream<Path> walk = Files.walk(dir)) {
      for (Path path : (Iterable<Path>) walk::iterator) {
        if (Files.isDirectory(path)) {
          dirs.add(path);
        } else if (Files.isRegularFile(path)) {
          AtomicWrite.syncFile(path);
        }
      }
    }
    for (Path folder : dirs.reversed()) {
      AtomicWrite.syncDirectory(folder);
    }
  }

  /** Deletes {@code dir} and everything below it; a missing folder is not an error. */
  static void delete(Path dir) throws IOException {
    if (Files.exists(dir)) {
      PathUtils.deleteDirectory(dir);
    }
  }
}
