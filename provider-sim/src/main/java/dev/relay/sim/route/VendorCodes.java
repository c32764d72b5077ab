package dev.relay.sim.route;

/** Which vendor codes a route may be told to answer: the ones the simulator can render as the vendor does. */
public interface VendorCodes {

  /** Codes the send API may answer instead of accepting. */
  boolean isRejectionCode(Provider provider, SimChannel channel, int code);

  /** Codes a failed delivery may report in the receipt and the status. */
  boolean isDeliveryErrorCode(Provider provider, SimChannel channel, int code);
}
