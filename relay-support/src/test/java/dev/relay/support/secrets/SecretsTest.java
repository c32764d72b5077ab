package dev.relay.support.secrets;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.relay.schemas.CodeHash;
import dev.relay.schemas.SealedSecret;
import dev.relay.support.config.ConfigException;
import java.nio.ByteBuffer;
import java.util.HashSet;
import java.util.Set;
import org.junit.jupiter.api.Test;

class SecretsTest {

  private static final String OLD = Keyring.generateSetting("k0");
  private static final String NEW = Keyring.generateSetting("k1");

  private static final String NUMBER = "+4915112345678";
  private static final String OTHER_NUMBER = "+4915112345679";

  private static SecretSealer codes(String keys) {
    return new SecretSealer(SecretSealer.Purpose.CODE, Keyring.parse("keys", keys));
  }

  @Test
  void aSealedCodeOpensOnlyForItsOwnVerificationAndDestination() {
    SecretSealer sealer = codes(NEW);
    SealedSecret sealed = sealer.seal("123456", "VE1", NUMBER);

    assertThat(sealer.open(sealed, "VE1", NUMBER)).contains("123456");
    assertThat(sealer.open(sealed, "VE2", NUMBER)).isEmpty();
    assertThat(sealer.open(sealed, "VE1", OTHER_NUMBER)).as("a rewritten destination").isEmpty();
    assertThat(sealer.open(sealed, null, NUMBER)).isEmpty();
    assertThat(new String(bytes(sealed.getCiphertext()))).doesNotContain("123456");
  }

  @Test
  void aSealedCodeDoesNotOpenAsAGuessEvenUnderTheSameKeyMaterial() {
    // An operator who pasted one key into both settings still gets no interchangeable values: the
    // purpose is part of the associated data.
    SealedSecret code = codes(NEW).seal("123456", "VE1", NUMBER);
    SecretSealer guesses = new SecretSealer(SecretSealer.Purpose.GUESS, Keyring.parse("keys", NEW));

    assertThat(guesses.open(code, "VE1", NUMBER)).isEmpty();
    assertThat(codes(NEW).open(guesses.seal("123456", "VE1", NUMBER), "VE1", NUMBER)).isEmpty();
  }

  @Test
  void idAndNumberCannotBeShiftedIntoEachOther() {
    SecretSealer sealer = new SecretSealer(SecretSealer.Purpose.GUESS, Keyring.parse("keys", NEW));
    SealedSecret byNumber = sealer.seal("123456", null, NUMBER);

    assertThat(sealer.open(byNumber, null, NUMBER)).contains("123456");
    assertThat(sealer.open(byNumber, "", NUMBER)).as("no id reads as the empty id, which no mint produces").contains("123456");
    assertThat(sealer.open(sealer.seal("1", "VE1", "+49"), "VE1+", "49")).isEmpty();
  }

  @Test
  void aRefusedOpeningLeavesNothingBehindForTheNextUseOnTheSameThread() {
    // Ids, seals and hashes share one cipher and one MAC per thread (CryptoInstances): a failed decryption
    // in between must not change what the next encryption, decryption or hash gives.
    SecretSealer sealer = codes(NEW);
    VerificationIds ids = new VerificationIds(Keyring.parse("keys", NEW));
    CodeHasher hasher = new CodeHasher(Keyring.parse("keys", NEW));
    SealedSecret sealed = sealer.seal("123456", "VE1", NUMBER);
    CodeHash hash = hasher.hash("123456", "VE1");
    String id = ids.mint(NUMBER);

    assertThat(sealer.open(sealed, "VE2", NUMBER)).isEmpty();
    assertThat(ids.numberOf(id.substring(0, id.length() - 2) + "AA")).isEmpty();
    assertThat(hasher.matches(hash, "654321", "VE1")).isFalse();

    assertThat(sealer.open(sealed, "VE1", NUMBER)).contains("123456");
    assertThat(ids.numberOf(id)).contains(NUMBER);
    assertThat(ids.numberOf(ids.mint(OTHER_NUMBER))).contains(OTHER_NUMBER);
    assertThat(sealer.open(sealer.seal("777777", "VE3", OTHER_NUMBER), "VE3", OTHER_NUMBER)).contains("777777");
    assertThat(hasher.matches(hash, "123456", "VE1")).isTrue();
    assertThat(hasher.hash("123456", "VE1").getHash()).isEqualTo(hash.getHash());
  }

  @Test
  void sealingTheSameCodeTwiceGivesDifferentCiphertexts() {
    SecretSealer sealer = codes(NEW);

    assertThat(sealer.seal("123456", "VE1", NUMBER).getCiphertext())
        .isNotEqualTo(sealer.seal("123456", "VE1", NUMBER).getCiphertext());
  }

  @Test
  void afterRotationOldSealsStillOpenAndNewOnesUseTheNewKey() {
    SealedSecret sealedBefore = codes(OLD).seal("654321", "VE1", NUMBER);
    SecretSealer rotated = codes(NEW + "," + OLD);

    assertThat(rotated.open(sealedBefore, "VE1", NUMBER)).contains("654321");
    assertThat(rotated.seal("1", "VE1", NUMBER).getKeyId()).isEqualTo("k1");
  }

  @Test
  void hashesMatchOnlyTheRightCodeAndSurviveRotation() {
    CodeHash before = new CodeHasher(Keyring.parse("keys", OLD)).hash("123456", "VE1");
    CodeHasher rotated = new CodeHasher(Keyring.parse("keys", NEW + "," + OLD));

    assertThat(rotated.matches(before, "123456", "VE1")).isTrue();
    assertThat(rotated.matches(before, "123457", "VE1")).isFalse();
    assertThat(rotated.matches(before, "123456", "VE2")).isFalse();
    assertThat(new CodeHasher(Keyring.parse("keys", NEW)).matches(before, "123456", "VE1"))
        .as("a hash under a key no longer held does not verify").isFalse();
  }

  @Test
  void verificationIdsCarryTheirNumberAndRefuseForgeries() {
    VerificationIds ids = new VerificationIds(Keyring.parse("keys", NEW));
    String id = ids.mint("+4915112345678");

    assertThat(id).startsWith("VE").doesNotContain("4915112345678");
    assertThat(ids.numberOf(id)).contains("+4915112345678");
    char[] tampered = id.toCharArray();
    tampered[20] = tampered[20] == 'A' ? 'B' : 'A';
    assertThat(ids.numberOf(new String(tampered))).isEmpty();
    assertThat(ids.numberOf("VE")).isEmpty();
    assertThat(ids.numberOf("VE%%%")).isEmpty();
    assertThat(ids.numberOf("nonsense")).isEmpty();
    assertThat(ids.numberOf(null)).isEmpty();
    assertThat(new VerificationIds(Keyring.parse("keys", OLD)).numberOf(id)).isEmpty();
  }

  @Test
  void idsOfTheSameNumberAreUnlinkable() {
    VerificationIds ids = new VerificationIds(Keyring.parse("keys", NEW));

    assertThat(ids.mint("+4915112345678")).isNotEqualTo(ids.mint("+4915112345678"));
  }

  @Test
  void codesHaveTheConfiguredDigitsAndVary() {
    CodeGenerator generator = new CodeGenerator(6);
    Set<String> seen = new HashSet<>();
    for (int i = 0; i < 200; i++) {
      String code = generator.next();
      assertThat(code).matches("\\d{6}");
      seen.add(code);
    }
    assertThat(seen.size()).isGreaterThan(190);
    assertThatThrownBy(() -> new CodeGenerator(3)).isInstanceOf(IllegalArgumentException.class);
  }

  @Test
  void keyringErrorsNameTheSettingButNeverTheKey() {
    assertThatThrownBy(() -> Keyring.parse("relay.secrets.id-keys", "k1:c2hvcnQ="))
        .isInstanceOf(ConfigException.class)
        .hasMessageContaining("relay.secrets.id-keys")
        .hasMessageContaining("32 bytes")
        .hasMessageNotContaining("c2hvcnQ=");
    assertThatThrownBy(() -> Keyring.parse("s", "no-colon")).isInstanceOf(ConfigException.class);
    assertThatThrownBy(() -> Keyring.parse("s", NEW + "," + NEW)).hasMessageContaining("twice");
  }

  private static byte[] bytes(ByteBuffer buffer) {
    ByteBuffer copy = buffer.duplicate();
    byte[] bytes = new byte[copy.remaining()];
    copy.get(bytes);
    return bytes;
  }
}
