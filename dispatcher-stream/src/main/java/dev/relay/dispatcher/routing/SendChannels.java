package dev.relay.dispatcher.routing;

import dev.relay.schemas.Channel;

/** The channel a send goes out on for a channel a record names: a channel this dispatcher does not know is SMS. */
public final class SendChannels {

  private SendChannels() {}

  /** SMS, voice and WhatsApp as they are; anything else (a newer writer's channel) is SMS, the channel every country has. */
  public static Channel of(Channel channel) {
    return channel == Channel.VOICE || channel == Channel.WHATSAPP ? channel : Channel.SMS;
  }
}
