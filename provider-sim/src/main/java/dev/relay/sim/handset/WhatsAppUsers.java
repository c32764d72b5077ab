package dev.relay.sim.handset;

import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;

/**
 * Which simulated handsets have no WhatsApp account. Every number is on WhatsApp until the admin API
 * says otherwise; a WhatsApp message to one that is not is accepted by the vendor's API and then
 * fails with the vendor's own error for it (Twilio 63003, Vonage 1300), as with the real services.
 */
public final class WhatsAppUsers {

  private final Set<String> notOnWhatsApp = ConcurrentHashMap.newKeySet();

  /** @param e164 the number with its leading {@code +} */
  public boolean isOnWhatsApp(String e164) {
    return !notOnWhatsApp.contains(e164);
  }

  public void set(String e164, boolean onWhatsApp) {
    if (onWhatsApp) {
      notOnWhatsApp.remove(e164);
    } else {
      notOnWhatsApp.add(e164);
    }
  }

  public void clearAll() {
    notOnWhatsApp.clear();
  }
}
