package dev.relay.sender.message;

import java.util.Locale;

/** A message ready to send and the language it is written in. */
public record RenderedMessage(String text, Locale language) {

  @Override
  public String toString() {
    // The text holds the code: never print it.
    return "RenderedMessage[language=" + language.toLanguageTag() + "]";
  }
}
