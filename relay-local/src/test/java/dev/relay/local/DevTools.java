package dev.relay.local;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.net.http.WebSocket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * One headless Chromium kept open on one page and driven over the DevTools protocol (a WebSocket,
 * JSON messages with ids), so a test can read the same page's DOM again and again while it lives:
 * what a page does on its own, without a reload, can be watched.
 */
final class DevTools implements AutoCloseable {

  private static final ObjectMapper JSON = new ObjectMapper();
  private static final Pattern LISTENING = Pattern.compile("DevTools listening on (ws://\\S+)");
  private static final Duration ANSWER_WAIT = Duration.ofSeconds(30);

  private final Process process;
  private final WebSocket socket;
  private final AtomicInteger ids = new AtomicInteger();
  private final Map<Integer, CompletableFuture<JsonNode>> pending = new ConcurrentHashMap<>();

  private DevTools(Process process, WebSocket socket) {
    this.process = process;
    this.socket = socket;
  }

  /** Starts Chromium on {@code url} and connects to that page. */
  static DevTools open(Path chromium, Path profile, String url) throws Exception {
    List<String> command = new ArrayList<>(List.of(chromium.toString(), "--headless", "--no-sandbox", "--disable-gpu",
        "--disable-background-networking", "--disable-component-update", "--disable-sync", "--no-first-run",
        // A page in the background must keep its timers running: that is what is being tested.
        "--disable-background-timer-throttling", "--disable-renderer-backgrounding",
        "--remote-debugging-port=0", "--remote-allow-origins=*", "--window-size=1280,640",
        "--user-data-dir=" + profile, url));
    Process process = new ProcessBuilder(command).redirectOutput(ProcessBuilder.Redirect.DISCARD).start();
    CompletableFuture<String> browserUrl = new CompletableFuture<>();
    Thread reader = new Thread(() -> {
      try (BufferedReader err = new BufferedReader(new InputStreamReader(process.getErrorStream(), StandardCharsets.UTF_8))) {
        String line;
        while ((line = err.readLine()) != null) {
          Matcher matcher = LISTENING.matcher(line);
          if (matcher.find()) {
            browserUrl.complete(matcher.group(1));
          }
        }
        browserUrl.completeExceptionally(new IOException("chromium exited without a DevTools endpoint"));
      } catch (IOException e) {
        browserUrl.completeExceptionally(e);
      }
    }, "chromium-stderr");
    reader.setDaemon(true);
    reader.start();
    try {
      URI browser = URI.create(browserUrl.get(60, TimeUnit.SECONDS));
      HttpClient http = HttpClient.newHttpClient();
      String list = "http://" + browser.getHost() + ":" + browser.getPort() + "/json/list";
      String pageSocket = null;
      long deadline = System.nanoTime() + ANSWER_WAIT.toNanos();
      while (pageSocket == null && System.nanoTime() < deadline) {
        for (JsonNode target : JSON.readTree(http.send(HttpRequest.newBuilder(URI.create(list)).GET().build(),
            HttpResponse.BodyHandlers.ofString()).body())) {
          if (target.path("type").asText().equals("page") && target.path("url").asText().startsWith(url)) {
            pageSocket = target.get("webSocketDebuggerUrl").asText();
          }
        }
      }
      if (pageSocket == null) {
        throw new IOException("chromium shows no page for " + url);
      }
      DevTools[] self = new DevTools[1];
      WebSocket socket = http.newWebSocketBuilder().buildAsync(URI.create(pageSocket), new WebSocket.Listener() {
        private final StringBuilder message = new StringBuilder();

        @Override
        public CompletionStage<?> onText(WebSocket webSocket, CharSequence data, boolean last) {
          message.append(data);
          if (last) {
            self[0].answer(message.toString());
            message.setLength(0);
          }
          webSocket.request(1);
          return null;
        }
      }).get(30, TimeUnit.SECONDS);
      self[0] = new DevTools(process, socket);
      return self[0];
    } catch (Exception e) {
      process.destroyForcibly();
      throw e;
    }
  }

  /** Evaluates a JavaScript expression in the page and returns its value as a string. */
  String evaluate(String expression) throws Exception {
    ObjectNode params = JSON.createObjectNode().put("expression", expression).put("returnByValue", true);
    JsonNode result = call("Runtime.evaluate", params);
    if (result.has("exceptionDetails")) {
      throw new AssertionError("the page threw on " + expression + ": " + result.get("exceptionDetails"));
    }
    return result.path("result").path("value").asText();
  }

  /** A PNG of the page as it is now. */
  byte[] screenshot() throws Exception {
    JsonNode result = call("Page.captureScreenshot", JSON.createObjectNode().put("format", "png"));
    return java.util.Base64.getDecoder().decode(result.get("data").asText());
  }

  /** A PNG of the whole page, below the fold too. */
  byte[] fullPageScreenshot() throws Exception {
    JsonNode result = call("Page.captureScreenshot",
        JSON.createObjectNode().put("format", "png").put("captureBeyondViewport", true));
    return java.util.Base64.getDecoder().decode(result.get("data").asText());
  }

  /** Lays the page out as a screen {@code width} x {@code height} CSS pixels wide, a phone's when {@code mobile}. */
  void viewport(int width, int height, boolean mobile) throws Exception {
    call("Emulation.setDeviceMetricsOverride", JSON.createObjectNode().put("width", width).put("height", height)
        .put("deviceScaleFactor", 1).put("mobile", mobile));
  }

  /** Presses and releases one key (Tab, Enter) as a keyboard would, on whatever has the focus. */
  void press(String key, String code, int keyCode) throws Exception {
    for (String type : new String[] {"keyDown", "keyUp"}) {
      ObjectNode params = JSON.createObjectNode().put("type", type).put("key", key).put("code", code)
          .put("windowsVirtualKeyCode", keyCode);
      if (type.equals("keyDown") && key.equals("Enter")) {
        params.put("text", "\r");
      }
      call("Input.dispatchKeyEvent", params);
    }
  }

  private JsonNode call(String method, ObjectNode params) throws Exception {
    int id = ids.incrementAndGet();
    CompletableFuture<JsonNode> answer = new CompletableFuture<>();
    pending.put(id, answer);
    ObjectNode request = JSON.createObjectNode().put("id", id).put("method", method);
    request.set("params", params);
    socket.sendText(JSON.writeValueAsString(request), true).get(10, TimeUnit.SECONDS);
    JsonNode reply = answer.get(ANSWER_WAIT.toMillis(), TimeUnit.MILLISECONDS);
    if (reply.has("error")) {
      throw new AssertionError(method + " failed: " + reply.get("error"));
    }
    return reply.get("result");
  }

  private void answer(String text) {
    try {
      JsonNode message = JSON.readTree(text);
      if (message.has("id")) {
        CompletableFuture<JsonNode> waiting = pending.remove(message.get("id").asInt());
        if (waiting != null) {
          waiting.complete(message);
        }
      }
    } catch (IOException e) {
      pending.values().forEach(waiting -> waiting.completeExceptionally(e));
    }
  }

  @Override
  public void close() {
    socket.abort();
    process.destroy();
    try {
      if (!process.waitFor(10, TimeUnit.SECONDS)) {
        process.destroyForcibly();
      }
    } catch (InterruptedException e) {
      process.destroyForcibly();
      Thread.currentThread().interrupt();
    }
  }
}
