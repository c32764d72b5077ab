package dev.relay.support.logging;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.slf4j.MDC;

class LogContextTest {

  @AfterEach
  void clear() {
    MDC.clear();
  }

  @Test
  void aScopePutsTheIdAndRestoresWhatWasThere() {
    try (LogContext.Scope outer = LogContext.verification("VEouter")) {
      assertThat(MDC.get(LogContext.VERIFICATION_ID)).isEqualTo("VEouter");
      try (LogContext.Scope inner = LogContext.verification("VEinner")) {
        assertThat(MDC.get(LogContext.VERIFICATION_ID)).isEqualTo("VEinner");
      }
      assertThat(MDC.get(LogContext.VERIFICATION_ID)).isEqualTo("VEouter");
    }
    assertThat(MDC.get(LogContext.VERIFICATION_ID)).isNull();
  }

  @Test
  void aNullIdChangesNothing() {
    MDC.put(LogContext.VERIFICATION_ID, "VEkept");
    try (LogContext.Scope none = LogContext.verification(null)) {
      assertThat(MDC.get(LogContext.VERIFICATION_ID)).isEqualTo("VEkept");
    }
    assertThat(MDC.get(LogContext.VERIFICATION_ID)).isEqualTo("VEkept");
  }

  @Test
  void theVerificationOfAnAttemptIsItsKeyWithoutTheAttemptNumber() {
    // Ids are base64url: they may hold dashes themselves.
    assertThat(LogContext.verificationOfAttempt("VEab-cd_ef-2")).contains("VEab-cd_ef");
    assertThat(LogContext.verificationOfAttempt("VEabc-12")).contains("VEabc");
    assertThat(LogContext.verificationOfAttempt("VEabc-")).isEmpty();
    assertThat(LogContext.verificationOfAttempt("-1")).isEmpty();
    assertThat(LogContext.verificationOfAttempt("VEabc-x1")).isEmpty();
    assertThat(LogContext.verificationOfAttempt("VEabc")).isEmpty();
    assertThat(LogContext.verificationOfAttempt(null)).isEmpty();
  }
}
