package dev.relay.sim;

import com.sun.net.httpserver.HttpServer;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.net.URI;
import java.net.URLDecoder;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * A small local HTTP server standing in for dlr-ingest and for a TwiML app: it records every request
 * the simulator makes, answers with a status the test chooses, and serves documents at given paths.
 */
public final class ReceiptReceiver implements AutoCloseable {

  /** One request as it arrived. */
  public record Received(String method, String path, String rawQuery, Map<String, String> headers, String body) {

    /** Form body, or the query string for a GET, decoded; order kept. */
    public Map<String, String> params() {
      return decode("GET".equals(method) ? rawQuery : body);
    }

    public String header(String name) {
      return headers.get(name.toLowerCase(Locale.ROOT));
    }
  }

  private final HttpServer server;
  private final ExecutorService executor = Executors.newFixedThreadPool(4);
  private final List<Received> received = new CopyOnWriteArrayList<>();
  private final Map<String, String> documents = new ConcurrentHashMap<>();
  private final AtomicInteger status = new AtomicInteger(204);
  private final AtomicInteger failuresLeft = new AtomicInteger();
  private final AtomicInteger failureStatus = new AtomicInteger(503);

  public ReceiptReceiver() throws IOException {
    server = HttpServer.create(new InetSocketAddress("127.0.0.1", 0), 0);
    server.setExecutor(executor);
    server.createContext("/", exchange -> {
      byte[] bytes;
      try (InputStream in = exchange.getRequestBody()) {
        bytes = in.readAllBytes();
      }
      Map<String, String> headers = new LinkedHashMap<>();
      exchange.getRequestHeaders().forEach((name, values) ->
          headers.put(name.toLowerCase(Locale.ROOT), values.get(0)));
      URI uri = exchange.getRequestURI();
      received.add(new Received(exchange.getRequestMethod(), uri.getPath(), uri.getRawQuery(), headers,
          new String(bytes, StandardCharsets.UTF_8)));
      String document = documents.get(uri.getPath());
      int answer = failuresLeft.getAndUpdate(left -> Math.max(0, left - 1)) > 0 ? failureStatus.get() : status.get();
      if (document != null && answer / 100 == 2) {
        byte[] out = document.getBytes(StandardCharsets.UTF_8);
        exchange.getResponseHeaders().add("Content-Type", "application/xml");
        exchange.sendResponseHeaders(200, out.length);
        try (OutputStream body = exchange.getResponseBody()) {
          body.write(out);
        }
      } else {
        exchange.sendResponseHeaders(answer, -1);
      }
      exchange.close();
    });
    server.start();
  }

  public String baseUrl() {
    return "http://127.0.0.1:" + server.getAddress().getPort();
  }

  public String url(String path) {
    return baseUrl() + path;
  }

  public List<Received> received() {
    return new ArrayList<>(received);
  }

  public List<Received> receivedAt(String path) {
    return received.stream().filter(request -> request.path().equals(path)).toList();
  }

  /** Serves {@code document} at {@code path} (a TwiML app). */
  public void serve(String path, String document) {
    documents.put(path, document);
  }

  /** The next {@code count} requests get {@code status}; later ones the normal answer. */
  public void failNext(int count, int status) {
    failureStatus.set(status);
    failuresLeft.set(count);
  }

  public void answerWith(int status) {
    this.status.set(status);
  }

  static Map<String, String> decode(String encoded) {
    Map<String, String> params = new LinkedHashMap<>();
    if (encoded == null || encoded.isEmpty()) {
      return params;
    }
    for (String pair : encoded.split("&")) {
      int equals = pair.indexOf('=');
      String name = equals < 0 ? pair : pair.substring(0, equals);
      String value = equals < 0 ? "" : pair.substring(equals + 1);
      params.put(URLDecoder.decode(name, StandardCharsets.UTF_8), URLDecoder.decode(value, StandardCharsets.UTF_8));
    }
    return params;
  }

  @Override
  public void close() {
    server.stop(0);
    executor.shutdownNow();
  }
}
