package ai.llep.trainer.tracking;

import java.net.URI;
import java.net.URISyntaxException;
import java.nio.file.InvalidPathException;
import java.nio.file.Path;
import java.util.Locale;
import java.util.regex.Pattern;

/** Opens the tracker that {@code tracking.uri} names. */
public final class Trackers {
  /** The default store: a folder {@code mlruns} in the working directory. */
  public static final String DEFAULT_URI = "file:./mlruns";

  private static final Pattern SCHEME = Pattern.compile("([A-Za-z][A-Za-z0-9+.-]*):.*");

  private Trackers() {}

  /**
   * {@link #open(String, TrackingOptions)} with default options and credentials from the
   * environment.
   */
  public static Tracker open(String uri) {
    return open(
        uri,
        TrackingOptions.defaults()
            .withCredentials(TrackingOptions.Credentials.fromEnvironment(System.getenv())));
  }

  /**
   * A tracker for {@code uri}: {@code file:<path>}, {@code file:///<absolute path>} or a plain path
   * gives a {@link FileStoreTracker} on that folder; {@code http://} or {@code https://} gives a
   * {@link RestTracker} on that server.
   *
   * @throws TrackingException for any other scheme or a malformed URI; the message names {@code
   *     tracking.uri}
   */
  public static Tracker open(String uri, TrackingOptions options) {
    if (uri == null || uri.isBlank()) {
      throw new TrackingException(
          "tracking.uri is empty: use a folder (" + DEFAULT_URI + ") or an MLflow server URL");
    }
    var matcher = SCHEME.matcher(uri);
    if (!matcher.matches()) {
      return new FileStoreTracker(path(uri, uri));
    }
    String scheme = matcher.group(1).toLowerCase(Locale.ROOT);
    return switch (scheme) {
      case "http", "https" -> new RestTracker(httpUri(uri), options);
      case "file" -> new FileStoreTracker(fileUriPath(uri));
      default ->
          throw new TrackingException(
              "tracking.uri '"
                  + uri
                  + "' has scheme '"
                  + scheme
                  + "', which is not supported: use a folder ("
                  + DEFAULT_URI
                  + " or a path) or an MLflow tracking server (http:// or https://)");
    };
  }

  private static URI httpUri(String uri) {
    try {
      URI parsed = new URI(uri);
      if (parsed.getHost() == null) {
        throw new TrackingException("tracking.uri '" + uri + "' names no host");
      }
      if (parsed.getRawQuery() != null || parsed.getRawFragment() != null) {
        throw new TrackingException("tracking.uri '" + uri + "' must not have a query or fragment");
      }
      return parsed;
    } catch (URISyntaxException e) {
      throw new TrackingException("tracking.uri '" + uri + "' is malformed: " + e.getMessage(), e);
    }
  }

  private static Path fileUriPath(String uri) {
    String rest = uri.substring("file:".length());
    if (!rest.startsWith("//")) {
      // file:./mlruns and file:mlruns are relative; file:/abs is absolute.
      return path(rest, uri);
    }
    try {
      URI parsed = new URI(uri);
      String host = parsed.getHost();
      if (host != null && !host.isEmpty() && !host.equalsIgnoreCase("localhost")) {
        throw new TrackingException(
            "tracking.uri '" + uri + "' names host '" + host + "'; a file store must be local");
      }
      return path(parsed.getPath(), uri);
    } catch (URISyntaxException e) {
      throw new TrackingException("tracking.uri '" + uri + "' is malformed: " + e.getMessage(), e);
    }
  }

  private static Path path(String path, String uri) {
    if (path == null || path.isEmpty()) {
      throw new TrackingException("tracking.uri '" + uri + "' names no folder");
    }
    try {
      return Path.of(path);
    } catch (InvalidPathException e) {
      throw new TrackingException(
          "tracking.uri '" + uri + "' is not a valid folder: " + e.getMessage(), e);
    }
  }
}
