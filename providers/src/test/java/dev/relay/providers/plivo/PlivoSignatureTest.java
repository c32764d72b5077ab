package dev.relay.providers.plivo;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

class PlivoSignatureTest {

  // Plivo's published example (plivo-ruby spec/signature_spec.rb): V2 over url + nonce.
  private static final String URL = "https://answer.url";
  private static final String NONCE = "12345";
  private static final String SIGNATURE = "ehV3IKhLysWBxC1sy8INm0qGoQYdYsHwuoKjsX7FsXc=";
  private static final String TOKEN = "my_auth_token";

  @Test
  void acceptsPlivosPublishedExample() {
    assertThat(new PlivoSignature(TOKEN).verify(URL, NONCE, SIGNATURE)).isTrue();
  }

  @Test
  void rejectsTheWrongTokenNonceUrlOrSignature() {
    assertThat(new PlivoSignature("my_auth_tokens").verify(URL, NONCE, SIGNATURE)).isFalse();
    assertThat(new PlivoSignature(TOKEN).verify(URL, "12346", SIGNATURE)).isFalse();
    assertThat(new PlivoSignature(TOKEN).verify("https://answer.url/other", NONCE, SIGNATURE)).isFalse();
    assertThat(new PlivoSignature(TOKEN).verify(URL, NONCE, "ehV3IKhLysWBxC1sy8INm0qGoQYdYsHwuoKjsX7FsXd=")).isFalse();
    assertThat(new PlivoSignature(TOKEN).verify(URL, null, SIGNATURE)).isFalse();
    assertThat(new PlivoSignature(TOKEN).verify(URL, NONCE, null)).isFalse();
  }

  @Test
  void ignoresTheQueryStringAsPlivoDoes() {
    assertThat(new PlivoSignature(TOKEN).verify(URL + "?ref=VEabc-1", NONCE, SIGNATURE)).isTrue();
  }

  @Test
  void acceptsAnyOfSeveralSignaturesDuringATokenRotation() {
    assertThat(new PlivoSignature(TOKEN).verify(URL, NONCE, "b3RoZXI=, " + SIGNATURE)).isTrue();
  }

  @Test
  void keepsAnExplicitPort() {
    assertThat(PlivoSignature.baseUrl("http://relay.example.com:8082/dlr/plivo?ref=x")).isEqualTo("http://relay.example.com:8082/dlr/plivo");
  }
}
