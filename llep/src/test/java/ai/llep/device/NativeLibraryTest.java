package ai.llep.device;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Finding libraries by name, and the CUDA runtime's candidates. */
class NativeLibraryTest {
  @Test
  void anOverrideReplacesTheDefaults() {
    assertEquals(
        List.of("some/dir/libfoo.so"),
        NativeLibrary.candidates(" some/dir/libfoo.so ", List.of("libfoo.so.1"), List.of("b")));
    assertEquals(
        List.of("libfoo.so.1", "libfoo.so", "b"),
        NativeLibrary.candidates(
            null, List.of("libfoo.so.1", "libfoo.so"), List.of("b", "libfoo.so")));
  }

  @Test
  void aLibraryOfTheSystemLoadsByNameAndExportsItsSymbols() {
    NativeLibrary libc = NativeLibrary.open("the C library", List.of("libnope.so.0", "libc.so.6"));
    assertEquals("libc.so.6", libc.name());
    assertTrue(libc.has("strlen"));
  }

  @Test
  void failuresListEveryCandidate() {
    IllegalStateException e =
        assertThrows(
            IllegalStateException.class,
            () -> NativeLibrary.open("the thing", List.of("libnope-a.so", "libnope-b.so")));
    assertTrue(
        e.getMessage().startsWith("cannot load the thing; tried libnope-a.so ("), e.getMessage());
    assertTrue(e.getMessage().contains(", libnope-b.so ("), e.getMessage());
  }

  @Test
  void theCudaRuntimeIsSearchedByNameThenBesideLibtorch(@TempDir Path torchLib) throws IOException {
    Files.createFile(torchLib.resolve("libcudart-0a1b2c3d.so.13"));
    Files.createFile(torchLib.resolve("libtorch.so"));
    List<String> names =
        CudaRuntime.candidates(Map.of("PYTORCH_LIBRARY_PATH", torchLib.toString()));
    assertEquals(
        List.of(
            "libcudart.so",
            "libcudart.so.13",
            "libcudart.so.12",
            torchLib.resolve("libcudart-0a1b2c3d.so.13").toAbsolutePath().toString()),
        names);
    assertEquals(
        List.of("libcudart-custom.so"),
        CudaRuntime.candidates(
            Map.of(CudaRuntime.LIBRARY_ENV, "libcudart-custom.so", "PYTORCH_LIBRARY_PATH", "x")));
  }
}
