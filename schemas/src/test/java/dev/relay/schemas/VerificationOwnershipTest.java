package dev.relay.schemas;

import static org.assertj.core.api.Assertions.assertThat;

import dev.relay.schemas.serde.AvroSerde;
import dev.relay.schemas.state.VerificationState;
import java.time.Instant;
import org.junit.jupiter.api.Test;

class VerificationOwnershipTest {

  static {
    // Building a generated record resolves its nested classes, which Avro instantiates only when trusted.
    AvroSerde.trustContracts();
  }

  private static VerificationState startedBy(String apiKeyName, String serviceId) {
    return VerificationState.newBuilder()
        .setVerificationId("v1").setTo("+4915112345678").setCountry("DE").setChannel(Channel.SMS)
        .setStatus(VerificationStatus.PENDING).setCreatedAt(Instant.EPOCH).setExpiresAt(Instant.EPOCH.plusSeconds(600))
        .setApiKeyName(apiKeyName).setServiceId(serviceId)
        .build();
  }

  @Test
  void everyKeyOfTheServiceOwnsItsVerificationsAndNoOtherKeyDoes() {
    VerificationState state = startedBy("shop-web", "svc_shop");

    assertThat(VerificationOwnership.owns(state, "shop-web", "svc_shop")).isTrue();
    assertThat(VerificationOwnership.owns(state, "shop-app", "svc_shop")).isTrue();
    assertThat(VerificationOwnership.owns(state, "bank", "svc_bank")).isFalse();
    // A key without a service that happens to carry the starting key's name is still another caller.
    assertThat(VerificationOwnership.owns(state, "shop-web", null)).isFalse();
  }

  @Test
  void withoutAServiceTheStartingKeyAloneOwnsIt() {
    VerificationState state = startedBy("legacy", null);

    assertThat(VerificationOwnership.owns(state, "legacy", null)).isTrue();
    assertThat(VerificationOwnership.owns(state, "other", null)).isFalse();
    assertThat(VerificationOwnership.owns(state, "legacy", "svc_shop")).isFalse();
    assertThat(VerificationOwnership.owns(startedBy(null, null), null, null)).isTrue();
  }
}
