package dev.relay.bench;

import static org.assertj.core.api.Assertions.assertThat;

import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpHeaders;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.TimeUnit;
import javax.net.ssl.SSLSession;
import org.HdrHistogram.Histogram;
import org.junit.jupiter.api.Test;

/** The benchmark tells a refusal at the door (503) from a reply timeout (504) and from everything else. */
class LoadRunAnswersTest {

  @Test
  void countsRefusalsTimeoutsAndOtherFailuresApartAndTimesOnlyTheRefusals() {
    LoadRun.Answers answers = new LoadRun.Answers();

    answers.failed(response(503, "{\"error\":\"overloaded\",\"message\":\"...\"}"), TimeUnit.MILLISECONDS.toNanos(3));
    answers.failed(response(503, "{\"error\":\"unavailable\",\"message\":\"...\"}"), TimeUnit.MILLISECONDS.toNanos(7));
    answers.failed(response(504, "{\"error\":\"reply_timeout\",\"message\":\"...\"}"), TimeUnit.SECONDS.toNanos(5));
    answers.failed(response(429, "{\"error\":\"rate_limited_number\",\"message\":\"...\"}"), 1);
    answers.failed(response(503, "not json"), TimeUnit.MILLISECONDS.toNanos(1));
    answers.failed(null, 1);

    assertThat(answers.refused.get()).isEqualTo(3);
    assertThat(answers.overloaded.get()).isEqualTo(1);
    assertThat(answers.timedOut.get()).isEqualTo(1);
    assertThat(answers.otherFailed.get()).isEqualTo(2);
    assertThat(answers.answered.get()).isZero();
    Histogram refusals = answers.refusalLatency.getIntervalHistogram();
    assertThat(refusals.getTotalCount()).isEqualTo(3);
    assertThat(refusals.getMaxValue()).isLessThan(TimeUnit.MILLISECONDS.toNanos(8));
  }

  private static HttpResponse<String> response(int status, String body) {
    return new HttpResponse<>() {
      @Override public int statusCode() { return status; }
      @Override public HttpRequest request() { return HttpRequest.newBuilder(URI.create("http://localhost/")).build(); }
      @Override public Optional<HttpResponse<String>> previousResponse() { return Optional.empty(); }
      @Override public HttpHeaders headers() { return HttpHeaders.of(Map.of(), (name, value) -> true); }
      @Override public String body() { return body; }
      @Override public Optional<SSLSession> sslSession() { return Optional.empty(); }
      @Override public URI uri() { return URI.create("http://localhost/"); }
      @Override public HttpClient.Version version() { return HttpClient.Version.HTTP_1_1; }
    };
  }
}
