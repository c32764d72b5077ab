package dev.relay.dispatcher.facts;

import dev.relay.schemas.serde.StateSerde;
import dev.relay.schemas.state.ScoringInputClock;
import dev.relay.schemas.state.ScoringVerificationProgress;

/**
 * The route facts' stored state as its Avro contracts under {@code schemas} (released with the state they
 * held in scoring before the dispatcher told the facts, so the records keep their names). A time the model
 * keeps as a sentinel ({@link InputClock#NONE}) is null in the record.
 */
final class FactStateSerdes {

  static final StateSerde<VerificationProgress, ScoringVerificationProgress> VERIFICATION_PROGRESS =
      StateSerde.of(ScoringVerificationProgress.class, FactStateSerdes::progress, FactStateSerdes::progress);

  static final StateSerde<InputClock, ScoringInputClock> INPUT_CLOCK =
      StateSerde.of(ScoringInputClock.class, FactStateSerdes::inputClock, FactStateSerdes::inputClock);

  private FactStateSerdes() {}

  static ScoringVerificationProgress progress(VerificationProgress progress) {
    return new ScoringVerificationProgress(progress.countedAttempts(), progress.finished(), progress.firstSendExcused());
  }

  static VerificationProgress progress(ScoringVerificationProgress avro) {
    return new VerificationProgress(avro.getCountedAttempts(), avro.getFinished(), avro.getFirstSendExcused());
  }

  static ScoringInputClock inputClock(InputClock clock) {
    return new ScoringInputClock(orNull(clock.lastInputAt()), clock.meanGapMillis(), clock.observed(),
        orNull(clock.outageStart()), orNull(clock.outageEnd()));
  }

  static InputClock inputClock(ScoringInputClock avro) {
    return new InputClock(orNone(avro.getLastInputAt()), avro.getMeanGapMillis(), avro.getObserved(),
        orNone(avro.getOutageStart()), orNone(avro.getOutageEnd()));
  }

  private static Long orNull(long millis) {
    return millis == InputClock.NONE ? null : millis;
  }

  private static long orNone(Long millis) {
    return millis == null ? InputClock.NONE : millis;
  }
}
