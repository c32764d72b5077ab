package dev.relay.sim.plivo;

import static org.assertj.core.api.Assertions.assertThat;

import java.net.URI;
import java.util.LinkedHashMap;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** The simulator signs as Plivo does: Plivo's own V3 test vectors (plivo-go utils_test.go). */
class PlivoSignatureTest {

  private static final String TOKEN = "Y2Q2ZDgxZmY5YWRiOTI5YmQ1Njg0MTAxZWIyOTc4";
  private static final String NONCE = "31627761595286130198";
  private static final String URL = "https://plivobin.non-prod.plivops.com/api/v1/validate_signature03.xml";

  private static Map<String, String> params() {
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
  void signsAPostLikePlivo() {
    assertThat(PlivoSignature.sign("POST", URI.create(URL + "/?a=b&c=d"), params(), NONCE, TOKEN))
        .isEqualTo("k7Pusd4OxCIjR5IfA9iedDNu/h/gbdYqdzG/MiYtd1c=");
    assertThat(PlivoSignature.sign("POST", URI.create(URL), params(), NONCE, TOKEN))
        .isEqualTo("iAjE5QqI37mbkYe4w3jTMudqEzbDufdqi7sYwTu64e0=");
  }

  @Test
  void signsAGetLikePlivoWithTheParametersInTheQuery() {
    StringBuilder query = new StringBuilder("a=b&c=d");
    params().forEach((name, value) -> query.append('&').append(java.net.URLEncoder.encode(name, java.nio.charset.StandardCharsets.UTF_8))
        .append('=').append(java.net.URLEncoder.encode(value, java.nio.charset.StandardCharsets.UTF_8)));
    assertThat(PlivoSignature.sign("GET", URI.create(URL + "/?" + query), Map.of(), NONCE, TOKEN))
        .isEqualTo("UBq8jAtd32wR8EK9VgxbBn4n5rpI/l1H9iN4WfSEHFQ=");
  }
}
