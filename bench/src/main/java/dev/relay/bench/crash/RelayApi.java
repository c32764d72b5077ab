package dev.relay.bench.crash;

import java.util.Optional;

/** The calls a person (and the app they use) makes: Relay's public API and the simulated handset's inbox. */
interface RelayApi {

  Answer start(String number);

  Answer check(String verificationId, String code);

  Answer resend(String verificationId);

  Answer status(String verificationId);

  /** The code of the newest message on the number's handset, if any came. */
  Optional<String> latestCode(String number);
}
