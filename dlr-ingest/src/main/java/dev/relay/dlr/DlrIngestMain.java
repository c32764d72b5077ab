package dev.relay.dlr;

import dev.relay.dlr.config.DlrConfig;
import dev.relay.support.runtime.ServiceMain;

/** Runs dlr-ingest as its own process. */
public final class DlrIngestMain {

  private DlrIngestMain() {}

  public static void main(String[] args) {
    ServiceMain.run(args, DlrConfig.SCHEMA, DlrIngestService::new);
  }
}
