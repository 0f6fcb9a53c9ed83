package ai.llep.trainer.tracking;

import com.google.gson.JsonArray;
import com.google.gson.JsonElement;
import com.google.gson.JsonObject;
import com.google.gson.JsonParser;
import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;
import java.io.IOException;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.URI;
import java.net.URLDecoder;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.BooleanSupplier;

/**
 * Enough of MLflow's tracking REST API, on 127.0.0.1, to hold runs: experiments by name,
 * runs/create (the first run gets id {@link #FIRST_RUN}), runs/get, runs/log-batch (and the single
 * log calls), runs/set-tag, runs/update and the artifact proxy's PUT. Every request is recorded,
 * and each run's status, end time, params, tags and latest metrics are kept. A batch with a
 * parameter named "rejected" gets 400, as a server answers a batch it refuses. It can answer 503 to
 * everything ({@link #available}) or hold log requests without answering ({@link #hang}).
 */
public final class FakeMlflowServer implements AutoCloseable {
  public static final String API = "/api/2.0/mlflow/";
  static final String ARTIFACTS = "/api/2.0/mlflow-artifacts/artifacts/";

  /** One request: method, path (with query) and body (JSON object, or raw bytes for uploads). */
  public record Call(String method, String path, JsonObject json, byte[] body) {}

  public static final String FIRST_RUN = "0123456789abcdef0123456789abcdef";

  /** What the server holds of one run. */
  public static final class RunState {
    final String experimentId;
    final String name;
    public volatile String status = "RUNNING";
    public volatile Long endTime;
    public final Map<String, String> params = new ConcurrentHashMap<>();
    public final Map<String, String> tags = new ConcurrentHashMap<>();
    final Map<String, JsonObject> latestMetrics = new ConcurrentHashMap<>();

    RunState(String experimentId, String name) {
      this.experimentId = experimentId;
      this.name = name;
    }
  }

  /** The runs by id. */
  public final Map<String, RunState> runs = new ConcurrentHashMap<>();

  /** A metric value as the server received it. */
  public record Metric(String key, double value, long timestamp, long step) {}

  final List<Call> calls = new CopyOnWriteArrayList<>();
  final Map<String, String> experiments = new ConcurrentHashMap<>();
  final AtomicInteger refused = new AtomicInteger();
  final AtomicInteger held = new AtomicInteger();
  volatile boolean available = true;
  volatile boolean hang;
  private final HttpServer server;
  private final ExecutorService executor = Executors.newFixedThreadPool(4);

  private FakeMlflowServer() throws IOException {
    server = HttpServer.create(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), 0);
    server.setExecutor(executor);
    server.createContext("/", this::handle);
    server.start();
  }

  public static FakeMlflowServer start() throws IOException {
    return new FakeMlflowServer();
  }

  public URI uri() {
    return URI.create("http://127.0.0.1:" + server.getAddress().getPort());
  }

  /** Stops answering: the port closes and open connections drop. */
  public void stop() {
    server.stop(0);
  }

  @Override
  public void close() {
    hang = false;
    server.stop(0);
    executor.shutdownNow();
  }

  private void handle(HttpExchange exchange) throws IOException {
    try (exchange) {
      String path = exchange.getRequestURI().getRawPath();
      String query = exchange.getRequestURI().getRawQuery();
      byte[] body = exchange.getRequestBody().readAllBytes();
      boolean upload = path.startsWith(ARTIFACTS);
      JsonObject json =
          upload || body.length == 0
              ? new JsonObject()
              : JsonParser.parseString(new String(body, StandardCharsets.UTF_8)).getAsJsonObject();
      if (!available) {
        refused.incrementAndGet();
        respond(exchange, 503, "{\"error_code\": \"TEMPORARILY_UNAVAILABLE\"}");
        return;
      }
      if (hang && path.startsWith(API + "runs/log")) {
        held.incrementAndGet();
        waitUntil(() -> !hang, Duration.ofSeconds(10));
      }
      calls.add(
          new Call(
              exchange.getRequestMethod(), query == null ? path : path + "?" + query, json, body));
      route(exchange, path, query, json);
    }
  }

  private void route(HttpExchange exchange, String path, String query, JsonObject json)
      throws IOException {
    if (path.startsWith(ARTIFACTS) && exchange.getRequestMethod().equals("PUT")) {
      respond(exchange, 200, "{}");
      return;
    }
    switch (path.substring(Math.min(path.length(), API.length()))) {
      case "experiments/get-by-name" -> {
        String name =
            URLDecoder.decode(query.substring("experiment_name=".length()), StandardCharsets.UTF_8);
        String id = experiments.get(name);
        if (id == null) {
          respond(
              exchange,
              404,
              "{\"error_code\": \"RESOURCE_DOES_NOT_EXIST\", \"message\": \"none\"}");
        } else {
          respond(exchange, 200, "{\"experiment\": " + experiment(id, name) + "}");
        }
      }
      case "experiments/create" -> {
        String id = Integer.toString(experiments.size() + 1);
        experiments.put(field(json, "name").getAsString(), id);
        respond(exchange, 200, "{\"experiment_id\": \"" + id + "\"}");
      }
      case "runs/create" -> {
        String experimentId = field(json, "experiment_id").getAsString();
        String runId = runs.isEmpty() ? FIRST_RUN : String.format("%032x", runs.size() + 1);
        RunState created = new RunState(experimentId, field(json, "run_name").getAsString());
        JsonArray tags = json.getAsJsonArray("tags");
        if (tags != null) {
          for (JsonElement tag : tags) {
            JsonObject pair = tag.getAsJsonObject();
            created.tags.put(pair.get("key").getAsString(), pair.get("value").getAsString());
          }
        }
        runs.put(runId, created);
        respond(exchange, 200, "{\"run\": " + run(runId, runs.get(runId)) + "}");
      }
      case "runs/get" -> {
        String runId = queryValue(query, "run_id");
        RunState run = runId == null ? null : runs.get(runId);
        if (run == null) {
          respond(
              exchange,
              404,
              "{\"error_code\": \"RESOURCE_DOES_NOT_EXIST\", \"message\": \"no run\"}");
        } else {
          respond(exchange, 200, "{\"run\": " + run(runId, run) + "}");
        }
      }
      case "runs/log-batch" -> {
        if (json.has("params") && json.get("params").toString().contains("\"rejected\"")) {
          respond(exchange, 400, "{\"error_code\": \"INVALID_PARAMETER_VALUE\"}");
        } else {
          record(json);
          respond(exchange, 200, "{}");
        }
      }
      case "runs/log-parameter", "runs/log-metric", "runs/set-tag" -> respond(exchange, 200, "{}");
      case "runs/update" -> {
        RunState run = runs.get(field(json, "run_id").getAsString());
        if (run != null) {
          run.status = field(json, "status").getAsString();
          JsonElement end = field(json, "end_time");
          if (end != null) {
            run.endTime = end.getAsLong();
          }
        }
        respond(exchange, 200, "{}");
      }
      default -> respond(exchange, 404, "{\"error_code\": \"ENDPOINT_NOT_FOUND\"}");
    }
  }

  private void record(JsonObject batch) {
    RunState run = runs.get(field(batch, "run_id").getAsString());
    if (run == null) {
      return;
    }
    for (String list : List.of("params", "tags")) {
      JsonArray array = batch.getAsJsonArray(list);
      if (array != null) {
        for (JsonElement element : array) {
          JsonObject pair = element.getAsJsonObject();
          (list.equals("params") ? run.params : run.tags)
              .put(pair.get("key").getAsString(), pair.get("value").getAsString());
        }
      }
    }
    JsonArray metrics = batch.getAsJsonArray("metrics");
    if (metrics != null) {
      for (JsonElement element : metrics) {
        JsonObject metric = element.getAsJsonObject();
        run.latestMetrics.put(metric.get("key").getAsString(), metric);
      }
    }
  }

  private static String run(String runId, RunState state) {
    JsonObject info = new JsonObject();
    info.addProperty("run_id", runId);
    info.addProperty("run_uuid", runId);
    info.addProperty("experiment_id", state.experimentId);
    info.addProperty("run_name", state.name);
    info.addProperty("status", state.status);
    info.addProperty("start_time", 1);
    if (state.endTime != null) {
      info.addProperty("end_time", state.endTime);
    }
    info.addProperty(
        "artifact_uri", "mlflow-artifacts:/" + state.experimentId + "/" + runId + "/artifacts");
    info.addProperty("lifecycle_stage", "active");
    JsonObject data = new JsonObject();
    data.add("params", pairs(state.params));
    data.add("tags", pairs(state.tags));
    JsonArray metrics = new JsonArray();
    state.latestMetrics.values().forEach(metrics::add);
    data.add("metrics", metrics);
    JsonObject run = new JsonObject();
    run.add("info", info);
    run.add("data", data);
    return run.toString();
  }

  private static JsonArray pairs(Map<String, String> values) {
    JsonArray array = new JsonArray();
    values.forEach(
        (key, value) -> {
          JsonObject pair = new JsonObject();
          pair.addProperty("key", key);
          pair.addProperty("value", value);
          array.add(pair);
        });
    return array;
  }

  private static String queryValue(String query, String name) {
    if (query == null) {
      return null;
    }
    for (String part : query.split("&")) {
      if (part.startsWith(name + "=")) {
        return URLDecoder.decode(part.substring(name.length() + 1), StandardCharsets.UTF_8);
      }
    }
    return null;
  }

  /** The paths of the artifacts uploaded so far, relative to their run's artifact root. */
  public List<String> artifacts() {
    List<String> paths = new ArrayList<>();
    for (Call call : callsTo(ARTIFACTS)) {
      String path =
          URLDecoder.decode(call.path().substring(ARTIFACTS.length()), StandardCharsets.UTF_8);
      int root = path.indexOf("/artifacts/");
      paths.add(root < 0 ? path : path.substring(root + "/artifacts/".length()));
    }
    return paths;
  }

  private static String experiment(String id, String name) {
    JsonObject experiment = new JsonObject();
    experiment.addProperty("experiment_id", id);
    experiment.addProperty("name", name);
    experiment.addProperty("artifact_location", "mlflow-artifacts:/" + id);
    experiment.addProperty("lifecycle_stage", "active");
    return experiment.toString();
  }

  /** A field by its proto name, or by the camel-case name JSON printers may use. */
  static JsonElement field(JsonObject json, String snakeName) {
    if (json.has(snakeName)) {
      return json.get(snakeName);
    }
    StringBuilder camel = new StringBuilder();
    boolean upper = false;
    for (char c : snakeName.toCharArray()) {
      if (c == '_') {
        upper = true;
      } else {
        camel.append(upper ? Character.toUpperCase(c) : c);
        upper = false;
      }
    }
    return json.get(camel.toString());
  }

  private static void respond(HttpExchange exchange, int status, String body) throws IOException {
    byte[] bytes = body.getBytes(StandardCharsets.UTF_8);
    exchange.getResponseHeaders().set("Content-Type", "application/json");
    exchange.sendResponseHeaders(status, bytes.length);
    try (OutputStream out = exchange.getResponseBody()) {
      out.write(bytes);
    }
  }

  public List<Call> callsTo(String endpoint) {
    return calls.stream().filter(c -> c.path().startsWith(endpoint)).toList();
  }

  /** Every metric value received through runs/log-batch, in order of arrival. */
  public List<Metric> metrics() {
    List<Metric> metrics = new ArrayList<>();
    for (Call call : callsTo(API + "runs/log-batch")) {
      JsonArray array = call.json().getAsJsonArray("metrics");
      if (array == null) {
        continue;
      }
      for (JsonElement element : array) {
        JsonObject m = element.getAsJsonObject();
        metrics.add(
            new Metric(
                m.get("key").getAsString(),
                m.get("value").getAsDouble(),
                m.get("timestamp").getAsLong(),
                m.has("step") ? m.get("step").getAsLong() : 0));
      }
    }
    return metrics;
  }

  /** Key-value pairs of one list ("params" or "tags") across all log-batch calls. */
  public List<String> pairs(String list) {
    List<String> pairs = new ArrayList<>();
    for (Call call : callsTo(API + "runs/log-batch")) {
      JsonArray array = call.json().getAsJsonArray(list);
      if (array != null) {
        for (JsonElement element : array) {
          JsonObject pair = element.getAsJsonObject();
          pairs.add(pair.get("key").getAsString() + "=" + pair.get("value").getAsString());
        }
      }
    }
    return pairs;
  }

  public static boolean waitUntil(BooleanSupplier condition, Duration timeout) {
    long deadline = System.nanoTime() + timeout.toNanos();
    while (!condition.getAsBoolean()) {
      if (System.nanoTime() > deadline) {
        return false;
      }
      try {
        Thread.sleep(5);
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        return false;
      }
    }
    return true;
  }
}
