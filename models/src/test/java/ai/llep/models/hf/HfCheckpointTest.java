package ai.llep.models.hf;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import ai.llep.models.hf.SafetensorsWriter.FloatStorage;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.SequencedMap;
import java.util.Set;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class HfCheckpointTest {
  private static final String CONFIG = "{\"model_type\": \"tiny\", \"hidden_size\": 4}";
  private static NDManager manager;
  @TempDir Path dir;

  @BeforeAll
  static void start() {
    manager = NDManager.newBaseManager("PyTorch");
  }

  @AfterAll
  static void stop() {
    manager.close();
  }

  /** Four float32 tensors of 16, 32, 16 and 48 bytes, in this order. */
  private static SequencedMap<String, NDArray> tensors() {
    SequencedMap<String, NDArray> tensors = new LinkedHashMap<>();
    tensors.put("model.embed.weight", manager.arange(4f));
    tensors.put("model.layers.0.w", manager.arange(8f).reshape(2, 4));
    tensors.put("model.layers.1.w", manager.arange(4f).neg());
    tensors.put("lm_head.weight", manager.arange(12f).reshape(3, 4));
    return tensors;
  }

  @Test
  void writesShardsAndAnIndexThenReadsThemLazily() throws IOException {
    Path folder = dir.resolve("ckpt");
    new HfCheckpointWriter(48, FloatStorage.AS_IS).write(folder, CONFIG, tensors());
    String first = "model-00001-of-00003.safetensors";
    String second = "model-00002-of-00003.safetensors";
    String third = "model-00003-of-00003.safetensors";
    try (var files = Files.list(folder)) {
      assertEquals(
          Set.of("config.json", ShardIndex.FILE_NAME, first, second, third),
          Set.copyOf(files.map(p -> p.getFileName().toString()).toList()));
    }
    assertEquals(
        """
        {
          "metadata": {
            "total_size": 112
          },
          "weight_map": {
            "lm_head.weight": "model-00003-of-00003.safetensors",
            "model.embed.weight": "model-00001-of-00003.safetensors",
            "model.layers.0.w": "model-00001-of-00003.safetensors",
            "model.layers.1.w": "model-00002-of-00003.safetensors"
          }
        }
        """,
        Files.readString(folder.resolve(ShardIndex.FILE_NAME)));
    try (HfCheckpoint checkpoint = HfCheckpoint.open(folder)) {
      assertEquals(CONFIG, checkpoint.configText());
      assertEquals(4, checkpoint.config().get("hidden_size").getAsInt());
      assertEquals(tensors().keySet(), checkpoint.names());
      assertTrue(checkpoint.openedShards().isEmpty());
      assertArrayEquals(
          new float[] {-0f, -1f, -2f, -3f},
          checkpoint.read("model.layers.1.w", manager, DataType.FLOAT32).toFloatArray());
      assertEquals(Set.of(second), checkpoint.openedShards());
      assertEquals(new Shape(3, 4), checkpoint.shape("lm_head.weight"));
      assertEquals(Set.of(second, third), checkpoint.openedShards());
      assertEquals(first, checkpoint.fileOf("model.layers.0.w"));
      for (Map.Entry<String, NDArray> entry : tensors().entrySet()) {
        assertArrayEquals(
            entry.getValue().toFloatArray(),
            checkpoint.read(entry.getKey(), manager, DataType.FLOAT32).toFloatArray());
      }
      assertEquals(Map.of("format", "pt"), SafetensorsFile.open(folder.resolve(first)).metadata());
    }
  }

  @Test
  void writesOneFileWhenEverythingFitsAndCopiesExtraFiles() throws IOException {
    Path tokenizer = Files.writeString(dir.resolve("tok.json"), "{}");
    Path folder = dir.resolve("one");
    new HfCheckpointWriter(HfCheckpointWriter.DEFAULT_MAX_SHARD_BYTES, FloatStorage.BF16)
        .write(folder, CONFIG, tensors(), Map.of("tokenizer.json", tokenizer));
    try (var files = Files.list(folder)) {
      assertEquals(
          Set.of("config.json", "model.safetensors", "tokenizer.json"),
          Set.copyOf(files.map(p -> p.getFileName().toString()).toList()));
    }
    try (HfCheckpoint checkpoint = HfCheckpoint.open(folder)) {
      assertEquals("BF16", checkpoint.storedType("lm_head.weight"));
      assertArrayEquals(
          manager.arange(12f).toFloatArray(),
          checkpoint.read("lm_head.weight", manager, DataType.FLOAT32).toFloatArray());
    }
  }

  @Test
  void writesTextFilesSuchAsTheChatTemplateOverCopiedOnesOfTheSameName() throws IOException {
    Path stale = Files.writeString(dir.resolve("old.jinja"), "old");
    Path folder = dir.resolve("texts");
    new HfCheckpointWriter(HfCheckpointWriter.DEFAULT_MAX_SHARD_BYTES, FloatStorage.AS_IS)
        .write(
            folder,
            CONFIG,
            tensors(),
            Map.of("chat_template.jinja", stale),
            Map.of("chat_template.jinja", "{{ messages[0]['content'] }}é"));
    assertEquals(
        "{{ messages[0]['content'] }}é", Files.readString(folder.resolve("chat_template.jinja")));
  }

  @Test
  void writtenFilesGetDefaultPermissionsNotOwnerOnly() throws IOException {
    Path folder = dir.resolve("perms");
    new HfCheckpointWriter(48, FloatStorage.AS_IS).write(folder, CONFIG, tensors());
    Path plainFile = Files.createFile(dir.resolve("plain"));
    Path plainDir = Files.createDirectory(dir.resolve("plainDir"));
    assertEquals(Files.getPosixFilePermissions(plainDir), Files.getPosixFilePermissions(folder));
    for (String name : List.of("config.json", "model-00001-of-00003.safetensors")) {
      assertEquals(
          Files.getPosixFilePermissions(plainFile),
          Files.getPosixFilePermissions(folder.resolve(name)),
          name);
    }
  }

  @Test
  void aTensorLargerThanTheLimitGetsAShardOfItsOwn() throws IOException {
    Path folder = dir.resolve("big");
    new HfCheckpointWriter(20, FloatStorage.AS_IS).write(folder, CONFIG, tensors());
    try (HfCheckpoint checkpoint = HfCheckpoint.open(folder)) {
      assertEquals("model-00001-of-00004.safetensors", checkpoint.fileOf("model.embed.weight"));
      assertEquals("model-00002-of-00004.safetensors", checkpoint.fileOf("model.layers.0.w"));
      assertEquals("model-00004-of-00004.safetensors", checkpoint.fileOf("lm_head.weight"));
    }
  }

  @Test
  void readCheckedNamesTheFileAndBothShapes() throws IOException {
    Path folder = dir.resolve("checked");
    new HfCheckpointWriter(48, FloatStorage.AS_IS).write(folder, CONFIG, tensors());
    try (HfCheckpoint checkpoint = HfCheckpoint.open(folder)) {
      IllegalArgumentException e =
          assertThrows(
              IllegalArgumentException.class,
              () ->
                  checkpoint.readChecked(
                      "lm_head.weight", new Shape(4, 3), manager, DataType.FLOAT32));
      assertEquals(
          "tensor lm_head.weight in file "
              + folder.toAbsolutePath().resolve("model-00003-of-00003.safetensors")
              + " has shape [3, 4], expected [4, 3]",
          e.getMessage());
      assertEquals(
          new Shape(3, 4),
          checkpoint
              .readChecked("lm_head.weight", new Shape(3, 4), manager, DataType.FLOAT32)
              .getShape());
      assertEquals(
          "no tensor 'nope' in checkpoint " + folder,
          assertThrows(IllegalArgumentException.class, () -> checkpoint.shape("nope"))
              .getMessage());
    }
  }

  @Test
  void missingPiecesAreNamed() throws IOException {
    Path folder = Files.createDirectory(dir.resolve("broken"));
    assertEquals(
        "checkpoint folder " + folder + " has no config.json",
        assertThrows(IOException.class, () -> HfCheckpoint.open(folder)).getMessage());
    Files.writeString(folder.resolve("config.json"), "{}");
    assertEquals(
        "checkpoint folder "
            + folder
            + " has neither model.safetensors nor model.safetensors.index.json",
        assertThrows(IOException.class, () -> HfCheckpoint.open(folder)).getMessage());
    Files.writeString(folder.resolve("config.json"), "{\"a\": ");
    assertTrue(
        assertThrows(IOException.class, () -> HfCheckpoint.open(folder))
            .getMessage()
            .startsWith(folder.resolve("config.json") + " is not valid JSON: "));
    assertEquals(
        "checkpoint folder " + dir.resolve("absent") + " does not exist",
        assertThrows(IOException.class, () -> HfCheckpoint.open(dir.resolve("absent")))
            .getMessage());
  }

  @Test
  void aMissingShardIsNamedWithItsTensor() throws IOException {
    Path folder = dir.resolve("noshard");
    new HfCheckpointWriter(48, FloatStorage.AS_IS).write(folder, CONFIG, tensors());
    Files.delete(folder.resolve("model-00002-of-00003.safetensors"));
    assertEquals(
        "checkpoint folder "
            + folder
            + ": shard model-00002-of-00003.safetensors (holding tensor 'model.layers.1.w',"
            + " listed in model.safetensors.index.json) does not exist",
        assertThrows(IOException.class, () -> HfCheckpoint.open(folder)).getMessage());
  }

  @Test
  void aTensorListedButAbsentFromItsShardIsNamed() throws IOException {
    Path folder = dir.resolve("absent");
    new HfCheckpointWriter(48, FloatStorage.AS_IS).write(folder, CONFIG, tensors());
    Path index = folder.resolve(ShardIndex.FILE_NAME);
    Files.writeString(
        index,
        Files.readString(index)
            .replace(
                "\"weight_map\": {",
                "\"weight_map\": {\n    \"ghost\": \"model-00002-of-00003.safetensors\","));
    try (HfCheckpoint checkpoint = HfCheckpoint.open(folder)) {
      UncheckedIOException e =
          assertThrows(
              UncheckedIOException.class,
              () -> checkpoint.read("model.layers.1.w", manager, DataType.FLOAT32));
      assertEquals(
          "checkpoint folder "
              + folder
              + ": tensor 'ghost' is listed in model.safetensors.index.json under"
              + " model-00002-of-00003.safetensors, but that file has no such tensor",
          e.getCause().getMessage());
      assertEquals(new Shape(3, 4), checkpoint.shape("lm_head.weight"), "other shards still open");
    }
  }

  @Test
  void anIndexCannotPointOutsideTheFolder() throws IOException {
    Path folder = Files.createDirectory(dir.resolve("escape"));
    Files.writeString(folder.resolve("config.json"), "{}");
    Files.writeString(
        folder.resolve(ShardIndex.FILE_NAME),
        "{\"weight_map\": {\"w\": \"../other/model.safetensors\"}}");
    assertEquals(
        folder.resolve(ShardIndex.FILE_NAME)
            + ": shard '../other/model.safetensors' of tensor 'w' is not a plain file name in the"
            + " checkpoint folder",
        assertThrows(IOException.class, () -> HfCheckpoint.open(folder)).getMessage());
    Files.writeString(folder.resolve(ShardIndex.FILE_NAME), "{\"metadata\": {}}");
    assertEquals(
        folder.resolve(ShardIndex.FILE_NAME) + " has no object 'weight_map'",
        assertThrows(IOException.class, () -> HfCheckpoint.open(folder)).getMessage());
  }

  @Test
  void theWriterNeverLeavesAHalfCheckpoint() throws IOException {
    Path folder = dir.resolve("target");
    SequencedMap<String, NDArray> tensors = tensors();
    NDArray closed = manager.arange(4f);
    closed.close();
    tensors.put("z.closed", closed);
    HfCheckpointWriter writer = new HfCheckpointWriter(48, FloatStorage.AS_IS);
    assertThrows(RuntimeException.class, () -> writer.write(folder, CONFIG, tensors));
    try (var files = Files.list(dir)) {
      assertEquals(List.of(), files.toList());
    }
    writer.write(folder, CONFIG, tensors());
    assertEquals(
        "checkpoint folder " + folder.toAbsolutePath() + " already exists",
        assertThrows(IOException.class, () -> writer.write(folder, CONFIG, tensors()))
            .getMessage());
    assertThrows(
        IllegalArgumentException.class, () -> writer.write(dir.resolve("x"), "[]", tensors()));
    assertThrows(
        IllegalArgumentException.class,
        () -> writer.write(dir.resolve("y"), CONFIG, tensors(), Map.of("config.json", folder)));
    assertFalse(Files.exists(dir.resolve("x")));
  }
}
