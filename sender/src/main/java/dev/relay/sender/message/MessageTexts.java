package dev.relay.sender.message;

import java.util.Locale;
import java.util.Set;

/**
 * The wording of the messages, per language, as {@link java.text.MessageFormat} patterns with the
 * friendly name as {@code {0}} and the code as {@code {1}} (spelled digit by digit for voice). Relay's
 * own set is {@link BundledTexts}; a tenant's templates can take its place without touching rendering.
 */
public interface MessageTexts {

  /** The languages this set has texts for, as ISO 639 codes ({@code en}, {@code de}). */
  Set<String> languages();

  /** The SMS body (also WhatsApp free text), in one of {@link #languages()}. */
  String sms(Locale language);

  /** The script a call reads, code included twice, in one of {@link #languages()}. */
  String voice(Locale language);
}
