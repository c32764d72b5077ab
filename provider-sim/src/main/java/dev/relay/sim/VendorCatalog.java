package dev.relay.sim;

import dev.relay.sim.plivo.PlivoMessageApi;
import dev.relay.sim.route.Provider;
import dev.relay.sim.route.SimChannel;
import dev.relay.sim.route.VendorCodes;
import dev.relay.sim.twilio.TwilioApi;
import dev.relay.sim.vonage.VonageMessagesApi;
import dev.relay.sim.vonage.VonageSmsApi;

/** The codes each vendor's simulated API can render, so the admin API refuses codes it cannot. */
final class VendorCatalog implements VendorCodes {

  @Override
  public boolean isRejectionCode(Provider provider, SimChannel channel, int code) {
    return switch (provider) {
      case TWILIO -> TwilioApi.isRejectionCode(channel, code);
      case VONAGE -> channel == SimChannel.WHATSAPP ? VonageMessagesApi.isRejectionCode(code) : VonageSmsApi.isRejectionCode(code);
      case PLIVO -> PlivoMessageApi.isRejectionCode(code);
    };
  }

  @Override
  public boolean isDeliveryErrorCode(Provider provider, SimChannel channel, int code) {
    return switch (provider) {
      case TWILIO -> TwilioApi.isDeliveryErrorCode(channel, code);
      case VONAGE -> channel == SimChannel.WHATSAPP ? VonageMessagesApi.isDeliveryErrorCode(code)
          : VonageSmsApi.isDeliveryErrorCode(code);
      case PLIVO -> PlivoMessageApi.isDeliveryErrorCode(code);
    };
  }
}
