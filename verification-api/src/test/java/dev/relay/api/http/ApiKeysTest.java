package dev.relay.api.http;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.relay.support.config.ConfigException;
import org.junit.jupiter.api.Test;

class ApiKeysTest {

  @Test
  void aGeneratedKeyAuthenticatesAsItsName() {
    ApiKeys.GeneratedKey shop = ApiKeys.generate("shop");
    ApiKeys.GeneratedKey billing = ApiKeys.generate("billing");
    ApiKeys keys = ApiKeys.parse("relay.api.keys", shop.settingEntry() + ", " + billing.settingEntry());

    assertThat(keys.required()).isTrue();
    assertThat(keys.authenticate(shop.key())).contains("shop");
    assertThat(keys.authenticate(billing.key())).contains("billing");
  }

  @Test
  void otherKeysAndNothingDoNotAuthenticate() {
    ApiKeys.GeneratedKey shop = ApiKeys.generate("shop");
    ApiKeys keys = ApiKeys.parse("relay.api.keys", shop.settingEntry());

    assertThat(keys.authenticate(ApiKeys.generate("shop").key())).isEmpty();
    assertThat(keys.authenticate(shop.key() + "x")).isEmpty();
    assertThat(keys.authenticate(shop.settingEntry())).isEmpty();
    assertThat(keys.authenticate("")).isEmpty();
    assertThat(keys.authenticate(null)).isEmpty();
  }

  @Test
  void theSettingHoldsOnlyTheHash() {
    ApiKeys.GeneratedKey shop = ApiKeys.generate("shop");

    assertThat(shop.settingEntry()).startsWith("shop:").doesNotContain(shop.key().substring(3)).hasSize(5 + 64);
    assertThat(shop.toString()).doesNotContain(shop.key());
  }

  @Test
  void anEmptySettingRequiresNoKey() {
    assertThat(ApiKeys.parse("relay.api.keys", "").required()).isFalse();
    assertThat(ApiKeys.parse("relay.api.keys", " , ").required()).isFalse();
  }

  @Test
  void malformedEntriesAreRefusedNamingTheSetting() {
    String hash = "a".repeat(64);
    assertThatThrownBy(() -> ApiKeys.parse("relay.api.keys", "shop")).isInstanceOf(ConfigException.class)
        .hasMessageContaining("relay.api.keys");
    assertThatThrownBy(() -> ApiKeys.parse("relay.api.keys", "shop:" + "a".repeat(63))).isInstanceOf(ConfigException.class);
    assertThatThrownBy(() -> ApiKeys.parse("relay.api.keys", ":" + hash)).isInstanceOf(ConfigException.class);
    assertThatThrownBy(() -> ApiKeys.parse("relay.api.keys", "sh op:" + hash)).isInstanceOf(ConfigException.class);
    assertThatThrownBy(() -> ApiKeys.parse("relay.api.keys", "shop:" + hash + ",shop:" + "b".repeat(64)))
        .isInstanceOf(ConfigException.class).hasMessageContaining("twice");
  }

  @Test
  void aKeyMayNameItsServiceAndOneWithoutHasNone() {
    ApiKeys.GeneratedKey shop = ApiKeys.generate("shop");
    ApiKeys.GeneratedKey legacy = ApiKeys.generate("legacy");
    ApiKeys keys = ApiKeys.parse("relay.api.keys", shop.settingEntry() + ":svc_0123456789abcdef," + legacy.settingEntry());

    assertThat(keys.authenticate(shop.key())).contains("shop");
    assertThat(keys.serviceOf("shop")).contains("svc_0123456789abcdef");
    assertThat(keys.authenticate(legacy.key())).contains("legacy");
    assertThat(keys.serviceOf("legacy")).isEmpty();
    assertThat(keys.serviceOf("nobody")).isEmpty();
  }

  @Test
  void aServiceThatIsNotAServiceIdOrAFourthPartIsRefused() {
    String entry = "shop:" + "a".repeat(64);
    for (String bad : new String[] {entry + ":", entry + ":shop", entry + ":SVC_0123456789ABCDEF",
        entry + ":svc_0123456789abcdef:x"}) {
      assertThatThrownBy(() -> ApiKeys.parse("relay.api.keys", bad)).as(bad)
          .isInstanceOf(ConfigException.class).hasMessageContaining("relay.api.keys");
    }
  }
}
