package dev.relay.providers.plivo;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.LinkedHashMap;
import java.util.Map;
import org.junit.jupiter.api.Test;

/**
 * V3 against Plivo's own test vectors (plivo-go {@code utils_test.go}, TestValidateSignatureV3Pass1-4:
 * the same callback signed as a POST and as a GET, with and without a query), which
 * plivo-python's {@code validate_v3_signature} also accepts: an independent computation of the
 * signature, not ours.
 */
class PlivoSignatureTest {

  private static final String TOKEN = "Y2Q2ZDgxZmY5YWRiOTI5YmQ1Njg0MTAxZWIyOTc4";
  private static final String NONCE = "31627761595286130198";
  private static final String WITH_QUERY = "https://plivobin.non-prod.plivops.com/api/v1/validate_signature03.xml/?a=b&c=d";
  private static final String WITHOUT_QUERY = "https://plivobin.non-prod.plivops.com/api/v1/validate_signature03.xml";

  private final PlivoSignature signature = new PlivoSignature(TOKEN);

  static Map<String, String> params() {
    Map<String, String> params = new LinkedHashMap<>();
    params.put("Direction", "outbound");
    params.put("From", "19792014278");
    params.put("ALegUUID", "3e82ae9d-2c78-4d85-b1a4-6eae7dbafb36");
    params.put("CallStatus", "in-progress");
    params.put("BillRate", "0.002");
    params.put("ParentAuthID", "MANWVLYTK4ZWU1YTY4QA");
    params.put("To", "sip:PlivoSignature382029104058171078704104@phone-qa.voice.plivodev.com");
    params.put("ALegRequestUUID", "3e82ae9d-2c78-4d85-b1a4-6eae7dbafb36");
    params.put("CallUUID", "3e82ae9d-2c78-4d85-b1a4-6eae7dbafb36");
    params.put("RequestUUID", "3e82ae9d-2c78-4d85-b1a4-6eae7dbafb36");
    params.put("SIP-H-To", "<sip:PlivoSignature382029104058171078704104@52.9.11.55;transport=udp>;tag=1");
    params.put("SessionStart", "2020-04-08 11:34:33.238707");
    params.put("Event", "StartApp");
    return params;
  }

  @Test
  void acceptsPlivosPublishedVectorsForPostAndGetWithAndWithoutAQuery() {
    assertThat(signature.verify("POST", WITH_QUERY, params(), NONCE, "k7Pusd4OxCIjR5IfA9iedDNu/h/gbdYqdzG/MiYtd1c=")).isTrue();
    assertThat(signature.verify("POST", WITHOUT_QUERY, params(), NONCE, "iAjE5QqI37mbkYe4w3jTMudqEzbDufdqi7sYwTu64e0=")).isTrue();
    assertThat(signature.verify("GET", WITH_QUERY, params(), NONCE, "UBq8jAtd32wR8EK9VgxbBn4n5rpI/l1H9iN4WfSEHFQ=")).isTrue();
    assertThat(signature.verify("GET", WITHOUT_QUERY, params(), NONCE, "i/MQsaQSAd6fiKhOh2qeeeLHZ9faldADSb3/7+Akfbc=")).isTrue();
  }

  /** The simulator's own signer (it posts the receipts every stack test verifies) against the same vectors. */
  @Test
  void theSimulatorSignsPlivosVectorsAsPlivoDoes() {
    assertThat(dev.relay.sim.plivo.PlivoSignature.sign("POST", java.net.URI.create(WITH_QUERY), params(), NONCE, TOKEN))
        .isEqualTo("k7Pusd4OxCIjR5IfA9iedDNu/h/gbdYqdzG/MiYtd1c=");
    assertThat(dev.relay.sim.plivo.PlivoSignature.sign("POST", java.net.URI.create(WITHOUT_QUERY), params(), NONCE, TOKEN))
        .isEqualTo("iAjE5QqI37mbkYe4w3jTMudqEzbDufdqi7sYwTu64e0=");
    String query = WITH_QUERY + "&" + dev.relay.providers.http.FormCodec.encode(params());
    assertThat(dev.relay.sim.plivo.PlivoSignature.sign("GET", java.net.URI.create(query), Map.of(), NONCE, TOKEN))
        .isEqualTo("UBq8jAtd32wR8EK9VgxbBn4n5rpI/l1H9iN4WfSEHFQ=");
  }

  @Test
  void aTamperedParameterQueryMethodNonceOrTokenIsRefused() {
    String genuine = "k7Pusd4OxCIjR5IfA9iedDNu/h/gbdYqdzG/MiYtd1c=";
    Map<String, String> tampered = params();
    tampered.put("CallStatus", "completed");
    assertThat(signature.verify("POST", WITH_QUERY, tampered, NONCE, genuine)).as("a body parameter").isFalse();
    Map<String, String> added = params();
    added.put("Extra", "1");
    assertThat(signature.verify("POST", WITH_QUERY, added, NONCE, genuine)).as("an added parameter").isFalse();
    assertThat(signature.verify("POST", WITH_QUERY.replace("c=d", "c=e"), params(), NONCE, genuine)).as("the query").isFalse();
    assertThat(signature.verify("GET", WITH_QUERY, params(), NONCE, genuine)).as("the method").isFalse();
    assertThat(signature.verify("POST", WITH_QUERY, params(), "31627761595286130199", genuine)).as("the nonce").isFalse();
    assertThat(new PlivoSignature(TOKEN + "x").verify("POST", WITH_QUERY, params(), NONCE, genuine)).as("the token").isFalse();
    assertThat(signature.verify("POST", WITH_QUERY, params(), null, genuine)).isFalse();
    assertThat(signature.verify("POST", WITH_QUERY, params(), NONCE, null)).isFalse();
  }

  @Test
  void acceptsAnyOfSeveralSignaturesDuringATokenRotation() {
    assertThat(signature.verify("POST", WITHOUT_QUERY, params(), NONCE, "b3RoZXI=, iAjE5QqI37mbkYe4w3jTMudqEzbDufdqi7sYwTu64e0="))
        .isTrue();
  }

  @Test
  void signsTheStringPlivosSdksBuild() {
    Map<String, String> body = Map.of("b", "2", "a", "1");
    assertThat(PlivoSignature.signedUrl("POST", "http://relay.example.com:8082/dlr/plivo?ref=VE1&z=%2B1", body))
        .isEqualTo("http://relay.example.com:8082/dlr/plivo?ref=VE1&z=+1.a1b2");
    assertThat(PlivoSignature.signedUrl("POST", "https://relay.example.com/dlr/plivo", body))
        .isEqualTo("https://relay.example.com/dlr/plivo?a1b2");
    assertThat(PlivoSignature.signedUrl("POST", "https://relay.example.com/dlr/plivo?ref=VE1", Map.of()))
        .isEqualTo("https://relay.example.com/dlr/plivo?ref=VE1");
    assertThat(PlivoSignature.signedUrl("GET", "https://relay.example.com/dlr/plivo?ref=VE1&Status=sent", Map.of()))
        .isEqualTo("https://relay.example.com/dlr/plivo?Status=sent&ref=VE1");
  }
}
