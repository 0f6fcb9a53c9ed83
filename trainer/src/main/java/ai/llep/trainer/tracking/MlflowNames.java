package ai.llep.trainer.tracking;

import java.util.regex.Pattern;

/**
 * MLflow's rules for keys, values and artifact paths ({@code mlflow/utils/validation.py}), checked
 * before anything is written or sent.
 */
final class MlflowNames {
  static final int MAX_KEY_LENGTH = 250;
  static final int MAX_PARAM_VALUE_LENGTH = 6000;
  static final int MAX_TAG_VALUE_LENGTH = 5000;
  static final int MAX_EXPERIMENT_NAME_LENGTH = 500;

  private static final Pattern VALID_KEY =
      Pattern.compile("[/\\w.\\- ]*", Pattern.UNICODE_CHARACTER_CLASS);
  private static final String BAD_CHARACTERS =
      "Names may only contain alphanumerics, underscores (_), dashes (-), periods (.), spaces ( ),"
          + " and slashes (/).";

  private MlflowNames() {}

  /** A run id names a folder of the file store, so it may hold no path separator or dot. */
  static void checkRunId(String runId) {
    if (runId == null || !runId.matches("[A-Za-z0-9_-]{1,256}")) {
      throw new IllegalArgumentException("'" + runId + "' is not a run id");
    }
  }

  static void checkMetricKey(String key) {
    checkKey("metric", key);
  }

  static void checkParamKey(String key) {
    checkKey("parameter", key);
  }

  static void checkTagKey(String key) {
    checkKey("tag", key);
  }

  private static void checkKey(String kind, String key) {
    if (key == null) {
      throw new IllegalArgumentException(
          capitalized(kind) + " name cannot be null. A key name must be provided.");
    }
    if (!VALID_KEY.matcher(key).matches()) {
      throw new IllegalArgumentException(
          "Invalid " + kind + " name: '" + key + "'. " + BAD_CHARACTERS);
    }
    if (!isCanonicalRelativePath(key)) {
      throw new IllegalArgumentException(
          "Invalid "
              + kind
              + " name: '"
              + key
              + "'. Names may be treated as files in certain cases, and must not resolve to other"
              + " names when treated as such.");
    }
    if (key.length() > MAX_KEY_LENGTH) {
      throw new IllegalArgumentException(
          capitalized(kind)
              + " name '"
              + key.substring(0, 40)
              + "...' has length "
              + key.length()
              + ", which exceeds the limit of "
              + MAX_KEY_LENGTH);
    }
  }

  /**
   * Whether {@code path} is a relative path that normalizes to itself: no empty, {@code .} or
   * {@code ..} segment, no leading or trailing slash ({@code posixpath.normpath(path) == path}).
   */
  static boolean isCanonicalRelativePath(String path) {
    if (path.isEmpty() || path.startsWith("/") || path.endsWith("/")) {
      return false;
    }
    for (String segment : path.split("/", -1)) {
      if (segment.isEmpty() || segment.equals(".") || segment.equals("..")) {
        return false;
      }
    }
    return true;
  }

  static void checkArtifactPath(String path) {
    if (path == null || !isCanonicalRelativePath(path) || path.contains("\\")) {
      throw new IllegalArgumentException(
          "Invalid artifact path: '"
              + path
              + "'. It must be a relative path with '/' separators and no empty, '.' or '..'"
              + " segment.");
    }
  }

  static void checkExperimentName(String name) {
    if (name == null || name.isEmpty()) {
      throw new IllegalArgumentException("Invalid experiment name: '" + name + "'");
    }
    if (name.length() > MAX_EXPERIMENT_NAME_LENGTH) {
      throw new IllegalArgumentException(
          "Experiment name exceeds the maximum length of "
              + MAX_EXPERIMENT_NAME_LENGTH
              + " characters");
    }
  }

  static void checkRunName(String name) {
    if (name == null || name.isBlank()) {
      throw new IllegalArgumentException("Invalid run name: '" + name + "'");
    }
    if (name.length() > MAX_TAG_VALUE_LENGTH) {
      throw new IllegalArgumentException(
          "Run name exceeds the maximum length of " + MAX_TAG_VALUE_LENGTH + " characters");
    }
  }

  /** A value cut to MLflow's limit, as MLflow does by default (with a warning at the caller). */
  static String truncated(String value, int limit) {
    return value.length() <= limit ? value : value.substring(0, limit);
  }

  private static String capitalized(String word) {
    return Character.toUpperCase(word.charAt(0)) + word.substring(1);
  }
}
