package dev.relay.sim;

import dev.relay.sim.config.SimConfig;
import dev.relay.support.runtime.ServiceMain;

/** Runs the provider simulator as a process; it refuses to start unless {@code relay.sim.enabled=true}. */
public final class SimMain {

  private SimMain() {}

  public static void main(String[] args) {
    ServiceMain.run(args, SimConfig.SCHEMA, SimService::new);
  }
}
