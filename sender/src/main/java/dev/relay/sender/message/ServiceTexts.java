package dev.relay.sender.message;

import java.util.HashSet;
import java.util.Locale;
import java.util.Map;
import java.util.Set;

/**
 * A service's (tenant's) own SMS wording over Relay's: the service's template for the language
 * (region first, {@code pt-BR}, then the language, {@code pt}) where it has one, Relay's text otherwise.
 * Calls keep Relay's script: a service words the text a phone shows, not the one a voice reads.
 */
final class ServiceTexts implements MessageTexts {

  private final MessageTexts relays;
  private final Map<String, String> templates;
  private final Set<String> languages;

  /** @param templates MessageFormat patterns by BCP 47 tag ({@code de}, {@code pt-BR}), {0} the name, {1} the code */
  ServiceTexts(MessageTexts relays, Map<String, String> templates) {
    this.relays = relays;
    this.templates = Map.copyOf(templates);
    Set<String> all = new HashSet<>(relays.languages());
    templates.keySet().forEach(tag -> all.add(Locale.forLanguageTag(tag).getLanguage()));
    this.languages = Set.copyOf(all);
  }

  @Override
  public Set<String> languages() {
    return languages;
  }

  @Override
  public String sms(Locale language) {
    String own = templates.get(language.toLanguageTag());
    if (own == null) {
      own = templates.get(language.getLanguage());
    }
    return own != null ? own : relays.sms(relaysOwn(language));
  }

  @Override
  public String voice(Locale language) {
    return relays.voice(relaysOwn(language));
  }

  /** A language only the service has a template for gets Relay's fallback wording where the service has none. */
  private Locale relaysOwn(Locale language) {
    return relays.languages().contains(language.getLanguage()) ? language : MessageLanguage.FALLBACK;
  }
}
