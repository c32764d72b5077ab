package dev.relay.schemas;

import dev.relay.schemas.state.DeliverySketch;
import dev.relay.schemas.state.NumberSend;
import dev.relay.schemas.state.ReceiptPolls;
import dev.relay.schemas.state.NumberSends;
import dev.relay.schemas.state.PaneFailovers;
import dev.relay.schemas.state.PrefixEvent;
import dev.relay.schemas.state.PrefixTally;
import dev.relay.schemas.state.PumpingBucket;
import dev.relay.schemas.state.PumpingCounts;
import dev.relay.schemas.state.RateCounts;
import dev.relay.schemas.state.RequestTally;
import dev.relay.schemas.state.RoutePane;
import dev.relay.schemas.state.ScoringEarlyReceipt;
import dev.relay.schemas.state.ScoringFact;
import dev.relay.schemas.state.ScoringFactKind;
import dev.relay.schemas.state.ScoringInputClock;
import dev.relay.schemas.state.ScoringRouteMark;
import dev.relay.schemas.state.ScoringRouteScore;
import dev.relay.schemas.state.ScoringSentMessage;
import dev.relay.schemas.state.ScoringVerificationProgress;
import dev.relay.schemas.state.VerificationState;
import dev.relay.schemas.state.WindowCounts;
import java.util.List;
import org.apache.avro.specific.SpecificRecord;

/** Every generated type of the contracts: the records on topics and in changelogs, and their parts. */
public final class Contracts {

  /** Top-level records: each is the value of a topic or a store, and has released versions. */
  public static final List<Class<? extends SpecificRecord>> RECORDS = List.of(
      VerificationRequest.class,
      CodeCheckRequest.class,
      SendCommand.class,
      SendResult.class,
      DeliveryReceipt.class,
      DeliveryOutcome.class,
      RouteFact.class,
      VerificationReply.class,
      VerificationEvent.class,
      ProviderScore.class,
      ProviderAlert.class,
      DeadLetter.class,
      VerificationState.class,
      RoutingTableVersion.class,
      PrefixBlock.class,
      RequestBlock.class,
      RateCounts.class,
      RequestTally.class,
      PrefixTally.class,
      VerificationService.class,
      PumpingCounts.class,
      NumberSends.class,
      ScoringFact.class,
      RoutePane.class,
      ScoringSentMessage.class,
      ScoringEarlyReceipt.class,
      ScoringVerificationProgress.class,
      ScoringInputClock.class,
      ScoringRouteMark.class,
      ScoringRouteScore.class);

  /** Every generated class, records, nested records and enums, that Avro may instantiate. */
  public static final List<Class<?>> ALL_TYPES = List.of(
      VerificationRequest.class, CodeCheckRequest.class, SendCommand.class, SendResult.class,
      DeliveryReceipt.class, DeliveryOutcome.class, RouteFact.class, RouteFactKind.class, VerificationReply.class, VerificationEvent.class, ProviderScore.class,
      ProviderAlert.class, DeadLetter.class, VerificationState.class,
      SealedSecret.class, CodeHash.class, Route.class, ProviderTry.class, Attempt.class, WindowStats.class, ScoreParts.class,
      Channel.class, VerificationStatus.class, SendOutcome.class, ErrorCategory.class,
      DeliveryStatus.class, SendReason.class, ReplyKind.class, RequestAction.class, AlertKind.class, AlertMetric.class,
      RoutingTableVersion.class, CountryRoutes.class, PricedRoute.class,
      PrefixBlock.class, PrefixBlockState.class, RequestBlock.class, RateCounts.class, WindowCounts.class, RequestTally.class,
      PrefixTally.class, PrefixEvent.class,
      VerificationService.class, ServiceSettings.class,
      PumpingCounts.class, PumpingBucket.class, NumberSends.class, NumberSend.class, ReceiptPolls.class,
      ScoringFact.class, ScoringFactKind.class, RoutePane.class, PaneFailovers.class, DeliverySketch.class,
      ScoringSentMessage.class, ScoringEarlyReceipt.class, ScoringVerificationProgress.class, ScoringInputClock.class,
      ScoringRouteMark.class, ScoringRouteScore.class);

  private Contracts() {}
}
