package ai.llep.trainer.tracking;

import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.Base64;
import java.util.Map;
import java.util.Objects;

/**
 * How a {@link RestTracker} talks to its server and how much it buffers while the server is away.
 *
 * @param requestTimeout longest wait for one request's answer before it counts as failed
 * @param startTimeout longest wait for the server to create the run in {@link Tracker#startRun}
 * @param flushTimeout longest wait in {@link Tracker#close()} for buffered records to go out
 * @param bufferCapacity records (metric values, params, tags) held while the server is away
 * @param maxBufferedArtifactBytes artifact bytes held while the server is away
 * @param retryInitial first pause after a failed request; it doubles per failure
 * @param retryMax longest pause between retries
 * @param credentials what authenticates the requests
 */
public record TrackingOptions(
    Duration requestTimeout,
    Duration startTimeout,
    Duration flushTimeout,
    int bufferCapacity,
    long maxBufferedArtifactBytes,
    Duration retryInitial,
    Duration retryMax,
    Credentials credentials) {
  public TrackingOptions {
    positive("request timeout", requestTimeout);
    positive("start timeout", startTimeout);
    Objects.requireNonNull(flushTimeout, "flushTimeout");
    if (flushTimeout.isNegative()) {
      throw new IllegalArgumentException("flush timeout must be >= 0, got " + flushTimeout);
    }
    positive("initial retry pause", retryInitial);
    positive("longest retry pause", retryMax);
    if (bufferCapacity < 1) {
      throw new IllegalArgumentException("buffer capacity must be >= 1, got " + bufferCapacity);
    }
    if (maxBufferedArtifactBytes < 0) {
      throw new IllegalArgumentException(
          "buffered artifact bytes must be >= 0, got " + maxBufferedArtifactBytes);
    }
    Objects.requireNonNull(credentials, "credentials");
  }

  private static void positive(String what, Duration duration) {
    Objects.requireNonNull(duration, what);
    if (duration.isNegative() || duration.isZero()) {
      throw new IllegalArgumentException(what + " must be > 0, got " + duration);
    }
  }

  /**
   * Requests wait 10 s, the run's creation 30 s and the final flush 30 s; up to 100,000 records and
   * 64 MiB of artifacts wait for a lost server; retries back off from 250 ms to 30 s.
   */
  public static TrackingOptions defaults() {
    return new TrackingOptions(
        Duration.ofSeconds(10),
        Duration.ofSeconds(30),
        Duration.ofSeconds(30),
        100_000,
        64L << 20,
        Duration.ofMillis(250),
        Duration.ofSeconds(30),
        Credentials.NONE);
  }

  public TrackingOptions withCredentials(Credentials newCredentials) {
    return new TrackingOptions(
        requestTimeout,
        startTimeout,
        flushTimeout,
        bufferCapacity,
        maxBufferedArtifactBytes,
        retryInitial,
        retryMax,
        newCredentials);
  }

  public TrackingOptions withTimeouts(Duration request, Duration start, Duration flush) {
    return new TrackingOptions(
        request,
        start,
        flush,
        bufferCapacity,
        maxBufferedArtifactBytes,
        retryInitial,
        retryMax,
        credentials);
  }

  public TrackingOptions withRetry(Duration initial, Duration max) {
    return new TrackingOptions(
        requestTimeout,
        startTimeout,
        flushTimeout,
        bufferCapacity,
        maxBufferedArtifactBytes,
        initial,
        max,
        credentials);
  }

  public TrackingOptions withBuffer(int records, long artifactBytes) {
    return new TrackingOptions(
        requestTimeout,
        startTimeout,
        flushTimeout,
        records,
        artifactBytes,
        retryInitial,
        retryMax,
        credentials);
  }

  /**
   * HTTP basic credentials (username and password) or a bearer token, as MLflow's own clients read
   * them from {@code MLFLOW_TRACKING_USERNAME}, {@code MLFLOW_TRACKING_PASSWORD} and {@code
   * MLFLOW_TRACKING_TOKEN}. Absent parts are {@code null}.
   */
  public record Credentials(String username, String password, String token) {
    public static final Credentials NONE = new Credentials(null, null, null);

    public Credentials {
      if ((username == null) != (password == null)) {
        throw new IllegalArgumentException(
            "MLflow basic authentication needs both a username and a password");
      }
    }

    /** The credentials MLflow's environment variables in {@code env} give. */
    public static Credentials fromEnvironment(Map<String, String> env) {
      return new Credentials(
          env.get("MLFLOW_TRACKING_USERNAME"),
          env.get("MLFLOW_TRACKING_PASSWORD"),
          env.get("MLFLOW_TRACKING_TOKEN"));
    }

    /** The value of the {@code Authorization} header, or {@code null} for none. */
    String authorization() {
      if (username != null) {
        String pair = username + ":" + password;
        return "Basic " + Base64.getEncoder().encodeToString(pair.getBytes(StandardCharsets.UTF_8));
      }
      return token != null ? "Bearer " + token : null;
    }

    @Override
    public String toString() {
      return username != null
          ? "basic authentication as " + username
          : token != null ? "bearer token" : "no authentication";
    }
  }
}
