package ai.llep.trainer.tracking;

import ai.llep.trainer.tracking.MlflowBackend.SendFailure;
import java.io.IOException;
import java.net.URI;
import java.net.URLEncoder;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.util.Optional;
import java.util.StringJoiner;

/**
 * Uploads run artifacts through the tracking server's artifact proxy ({@code PUT
 * /api/2.0/mlflow-artifacts/artifacts/<path>}), the endpoint MLflow's own HTTP artifact repository
 * uses. MLflow's Java client cannot do this: it hands artifacts to the Python CLI.
 *
 * <p>The run's artifact URI says where its artifacts go: {@code mlflow-artifacts:/<path>} (the
 * tracking server's proxy), {@code mlflow-artifacts://host:port/<path>} (another proxy), or an
 * {@code http(s)} URL of the proxy. Any other location (a bucket, or a folder on the server when it
 * runs with {@code --no-serve-artifacts}) cannot be reached through the server.
 */
final class ArtifactUploader {
  static final String PROXY_PATH = "/api/2.0/mlflow-artifacts/artifacts";

  private final String artifactUri;
  private final TrackingOptions options;
  private final String base;
  private final HttpClient http;

  ArtifactUploader(String trackingHost, String artifactUri, TrackingOptions options) {
    this.artifactUri = artifactUri;
    this.options = options;
    this.base = resolve(trackingHost, artifactUri);
    this.http = HttpClient.newBuilder().connectTimeout(options.requestTimeout()).build();
  }

  /** The URL below which a run's artifacts are uploaded, or {@code null} if there is none. */
  static String resolve(String trackingHost, String artifactUri) {
    if (artifactUri.startsWith("http://") || artifactUri.startsWith("https://")) {
      return trimSlash(artifactUri);
    }
    if (!artifactUri.startsWith("mlflow-artifacts:")) {
      return null;
    }
    URI uri = URI.create(artifactUri);
    String path = uri.getRawPath() == null ? "" : uri.getRawPath();
    String server = trackingHost;
    if (uri.getRawAuthority() != null) {
      server = URI.create(trackingHost).getScheme() + "://" + uri.getRawAuthority();
    }
    return trimSlash(server + PROXY_PATH + (path.startsWith("/") ? path : "/" + path));
  }

  private static String trimSlash(String url) {
    return url.endsWith("/") ? url.substring(0, url.length() - 1) : url;
  }

  /** Why artifacts of this run cannot be uploaded, if they cannot. */
  Optional<String> problem() {
    if (base != null) {
      return Optional.empty();
    }
    return Optional.of(
        "the run's artifacts belong at "
            + artifactUri
            + ", which the tracking server does not proxy (start it with artifact serving on to"
            + " upload artifacts)");
  }

  void upload(String path, byte[] content) {
    if (base == null) {
      throw new SendFailure(problem().orElseThrow(), false, null);
    }
    StringJoiner encoded = new StringJoiner("/");
    for (String segment : path.split("/")) {
      encoded.add(URLEncoder.encode(segment, StandardCharsets.UTF_8).replace("+", "%20"));
    }
    HttpRequest.Builder request =
        HttpRequest.newBuilder(URI.create(base + "/" + encoded))
            .timeout(options.requestTimeout())
            .header("Content-Type", "application/octet-stream")
            .PUT(HttpRequest.BodyPublishers.ofByteArray(content));
    String authorization = options.credentials().authorization();
    if (authorization != null) {
      request.header("Authorization", authorization);
    }
    HttpResponse<String> response;
    try {
      response = http.send(request.build(), HttpResponse.BodyHandlers.ofString());
    } catch (IOException e) {
      throw new SendFailure(e.getClass().getSimpleName() + ": " + e.getMessage(), true, e);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new SendFailure("interrupted", true, e);
    }
    int status = response.statusCode();
    if (status / 100 != 2) {
      throw new SendFailure(
          "HTTP " + status + " for artifact " + path + ": " + response.body(),
          status == 429 || status >= 500,
          null);
    }
  }
}
