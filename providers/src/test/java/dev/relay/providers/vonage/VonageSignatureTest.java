package dev.relay.providers.vonage;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.relay.providers.vonage.VonageSignature.Method;
import java.time.Clock;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.HashMap;
import java.util.Map;
import org.junit.jupiter.api.Test;

class VonageSignatureTest {

  // Vonage's own test vectors (vonage-java-sdk RequestSigningTest): a=alphabet, b=bananas,
  // timestamp=2100, secret abcde, checked at 2100 s after the epoch.
  private static final Clock AT_2100 = Clock.fixed(Instant.ofEpochSecond(2100), ZoneOffset.UTC);
  private static final String MD5HASH_SIG = "7d43241108912b32cc315b48ce681acf";
  private static final String HMAC_SHA256_SIG = "8d1b0428276b6a070578225914c3502cc0687a454dfbbbb370c76a14234cb546";

  private static Map<String, String> example(String sig) {
    Map<String, String> params = new HashMap<>(Map.of("a", "alphabet", "b", "bananas", "timestamp", "2100"));
    if (sig != null) {
      params.put("sig", sig);
    }
    return params;
  }

  @Test
  void matchesVonagesPublishedMd5HashVector() {
    VonageSignature signature = new VonageSignature("abcde", Method.MD5HASH, AT_2100);

    assertThat(signature.sign(example(null))).isEqualTo(MD5HASH_SIG);
    assertThat(signature.verify(example(MD5HASH_SIG))).isTrue();
    // Vonage may send the hex in upper case.
    assertThat(signature.verify(example(MD5HASH_SIG.toUpperCase(java.util.Locale.ROOT)))).isTrue();
  }

  @Test
  void matchesVonagesPublishedHmacSha256Vector() {
    VonageSignature signature = new VonageSignature("abcde", Method.SHA256, AT_2100);

    assertThat(signature.sign(example(null))).isEqualTo(HMAC_SHA256_SIG);
    assertThat(signature.verify(example(HMAC_SHA256_SIG))).isTrue();
  }

  @Test
  void leavesEmptyValuesOutAsVonageDoes() {
    // vonage-java-sdk: md5 of "&a=alphabet&timestamp=2100abcde"
    Map<String, String> params = new HashMap<>(Map.of("a", "alphabet", "b", "", "timestamp", "2100", "sig", "a3368bf718ba104dcb392d8877e8eb2b"));

    assertThat(new VonageSignature("abcde", Method.MD5HASH, AT_2100).verify(params)).isTrue();
  }

  @Test
  void replacesAmpersandsAndEqualsInValues() {
    assertThat(VonageSignature.signedString(Map.of("text", "a=b&c", "timestamp", "1"))).isEqualTo("&text=a_b_c&timestamp=1");
  }

  @Test
  void rejectsTamperedParametersSignaturesAndSecrets() {
    VonageSignature signature = new VonageSignature("abcde", Method.MD5HASH, AT_2100);
    Map<String, String> tampered = example(MD5HASH_SIG);
    tampered.put("b", "bananaz");
    Map<String, String> added = example(MD5HASH_SIG);
    added.put("status", "delivered");

    assertThat(signature.verify(tampered)).isFalse();
    assertThat(signature.verify(added)).isFalse();
    assertThat(signature.verify(example("7d43241108912b32cc315b48ce681acE"))).isFalse();
    assertThat(signature.verify(example(null))).isFalse();
    assertThat(new VonageSignature("abcdf", Method.MD5HASH, AT_2100).verify(example(MD5HASH_SIG))).isFalse();
    assertThat(new VonageSignature("abcde", Method.SHA256, AT_2100).verify(example(MD5HASH_SIG))).isFalse();
  }

  @Test
  void rejectsAStaleMissingOrGarbledTimestamp() {
    VonageSignature later = new VonageSignature("abcde", Method.MD5HASH, Clock.offset(AT_2100, java.time.Duration.ofMinutes(6)));
    VonageSignature signature = new VonageSignature("abcde", Method.MD5HASH, AT_2100);
    Map<String, String> noTimestamp = example(MD5HASH_SIG);
    noTimestamp.remove("timestamp");
    Map<String, String> garbled = example(MD5HASH_SIG);
    garbled.put("timestamp", "yesterday");

    assertThat(later.verify(example(MD5HASH_SIG))).isFalse();
    assertThat(new VonageSignature("abcde", Method.MD5HASH, Clock.offset(AT_2100, java.time.Duration.ofMinutes(4)))
        .verify(example(MD5HASH_SIG))).isTrue();
    assertThat(signature.verify(noTimestamp)).isFalse();
    assertThat(signature.verify(garbled)).isFalse();
  }

  @Test
  void signsWithEveryDashboardMethod() {
    for (Method method : Method.values()) {
      VonageSignature signature = new VonageSignature("secret", method, AT_2100);
      Map<String, String> params = example(null);
      params.put("sig", signature.sign(params));
      assertThat(signature.verify(params)).as(method.name()).isTrue();
    }
    assertThat(Method.parse("sha512")).isEqualTo(Method.SHA512);
    assertThatThrownBy(() -> Method.parse("crc32")).hasMessageContaining("md5hash");
  }
}
