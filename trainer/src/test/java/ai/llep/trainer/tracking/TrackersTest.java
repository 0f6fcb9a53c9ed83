package ai.llep.trainer.tracking;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class TrackersTest {
  @TempDir Path dir;

  private static final TrackingOptions OPTIONS = TrackingOptions.defaults();

  private Path fileStoreRoot(String uri) {
    try (Tracker tracker = Trackers.open(uri, OPTIONS)) {
      return assertInstanceOf(FileStoreTracker.class, tracker).root();
    }
  }

  @Test
  void foldersAndFileUrisOpenAFileStore() {
    Path root = dir.resolve("mlruns");
    assertEquals(root, fileStoreRoot(root.toString()));
    assertEquals(root, fileStoreRoot("file:" + root));
    assertEquals(root, fileStoreRoot(root.toUri().toString()));
    assertEquals(root, fileStoreRoot("file://localhost" + root));
    assertEquals(
        Path.of("mlruns").toAbsolutePath(),
        Path.of(Trackers.DEFAULT_URI.substring(5)).toAbsolutePath().normalize());
  }

  @Test
  void httpUrisOpenARestTrackerWithoutConnecting() {
    try (Tracker tracker = Trackers.open("http://127.0.0.1:1/mlflow", OPTIONS)) {
      assertInstanceOf(RestTracker.class, tracker);
    }
    try (Tracker tracker = Trackers.open("https://mlflow.test", OPTIONS)) {
      assertInstanceOf(RestTracker.class, tracker);
    }
  }

  @Test
  void otherSchemesAreRejectedNamingTheKey() {
    assertEquals(
        "tracking.uri 'sqlite:///mlflow.db' has scheme 'sqlite', which is not supported: use a"
            + " folder (file:./mlruns or a path) or an MLflow tracking server (http:// or"
            + " https://)",
        assertThrows(TrackingException.class, () -> Trackers.open("sqlite:///mlflow.db", OPTIONS))
            .getMessage());
    assertEquals(
        "tracking.uri is empty: use a folder (file:./mlruns) or an MLflow server URL",
        assertThrows(TrackingException.class, () -> Trackers.open(" ", OPTIONS)).getMessage());
    assertEquals(
        "tracking.uri 'file://server/share/mlruns' names host 'server'; a file store must be"
            + " local",
        assertThrows(
                TrackingException.class, () -> Trackers.open("file://server/share/mlruns", OPTIONS))
            .getMessage());
    assertEquals(
        "tracking.uri 'http:///nohost' names no host",
        assertThrows(TrackingException.class, () -> Trackers.open("http:///nohost", OPTIONS))
            .getMessage());
  }
}
