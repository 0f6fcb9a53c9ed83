package ai.llep.trainer.train;

import ai.llep.trainer.config.ConfigError;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;

/**
 * Checks, on every rank before the model loads, that the folders a run writes to can be written: a
 * folder that cannot would otherwise be found only at the first checkpoint or after the last step.
 * Each folder is created if missing, and a probe file is written into it and removed.
 */
final class WritableFolders {
  private WritableFolders() {}

  /**
   * @param folders by config key
   * @throws ConfigError naming the key, the folder, the rank and the reason
   */
  static void require(Map<String, Path> folders, int rank) {
    folders.forEach(
        (key, folder) -> {
          Path probe = null;
          try {
            Files.createDirectories(folder);
            probe = Files.createTempFile(folder, ".llep-write-probe-rank" + rank + "-", ".tmp");
            Files.write(probe, new byte[] {1});
          } catch (IOException | UnsupportedOperationException | SecurityException e) {
            throw new ConfigError(
                key
                    + "="
                    + folder
                    + " is not writable on rank "
                    + rank
                    + " ("
                    + e.getClass().getSimpleName()
                    + ": "
                    + e.getMessage()
                    + "); give a folder this user can create and write");
          } finally {
            if (probe != null) {
              try {
                Files.deleteIfExists(probe);
              } catch (IOException ignored) {
                // Written but not removable: the folder is writable, which is what was asked.
              }
            }
          }
        });
  }
}
