package dev.relay.dispatcher.topology;

import static org.assertj.core.api.Assertions.assertThat;

import dev.relay.schemas.ReplyKind;
import dev.relay.schemas.RequestAction;
import dev.relay.schemas.SendCommand;
import dev.relay.schemas.ServiceSettings;
import dev.relay.schemas.VerificationReply;
import dev.relay.schemas.VerificationStatus;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Map;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A verification started under a service takes the service's code length, expiry, guess and send
 * caps, and hands its friendly name and templates to the sender; one started without a service keeps
 * the deployment's settings.
 */
class ServiceSettingsTopologyTest {

  private static final String SHOP = "svc_shop000000000001";

  @TempDir
  Path stateDir;

  private DispatcherTestBed bed;

  @AfterEach
  void close() {
    bed.close();
  }

  private static ServiceSettings shop(int codeLength) {
    return ServiceSettings.newBuilder()
        .setFriendlyName("Shop")
        .setCodeLength(codeLength)
        .setExpiryMillis(Duration.ofMinutes(3).toMillis())
        .setMaxChecks(2)
        .setMaxSends(2)
        .setTemplates(Map.of("de", "{1} ist Ihr {0}-Code"))
        .build();
  }

  private SendCommand startedForShop(ServiceSettings settings) {
    bed.startAs("shop-web", SHOP, settings, "req-1");
    SendCommand command = bed.onlyCommand();
    bed.replies.readValuesToList();
    bed.events.readValuesToList();
    return command;
  }

  @Test
  void theCodeLengthAndExpiryAreTheServicesAndTheSendCommandCarriesItsWording() {
    bed = new DispatcherTestBed(stateDir);
    assertThat(bed.settings.codeLength()).as("the deployment's own length differs").isNotEqualTo(8);

    SendCommand command = startedForShop(shop(8));

    assertThat(bed.codeOf(command)).hasSize(8).containsOnlyDigits();
    assertThat(bed.state().getExpiresAt()).isEqualTo(bed.now().plus(Duration.ofMinutes(3)));
    assertThat(command.getExpiresAt()).isEqualTo(bed.now().plus(Duration.ofMinutes(3)));
    assertThat(command.getServiceSettings()).isEqualTo(shop(8));
    assertThat(bed.state().getServiceSettings()).isEqualTo(shop(8));
  }

  @Test
  void withoutAServiceTheDeploymentsSettingsApply() {
    bed = new DispatcherTestBed(stateDir);

    SendCommand command = startedForShop(null);

    assertThat(bed.codeOf(command)).hasSize(bed.settings.codeLength());
    assertThat(bed.state().getExpiresAt()).isEqualTo(bed.now().plus(bed.settings.ttl()));
    assertThat(command.getServiceSettings()).isNull();
  }

  @Test
  void settingsNoCodeCouldHaveAreIgnoredForTheDeployments() {
    bed = new DispatcherTestBed(stateDir);

    SendCommand command = startedForShop(shop(12));

    assertThat(bed.codeOf(command)).hasSize(bed.settings.codeLength());
    assertThat(bed.state().getExpiresAt()).isEqualTo(bed.now().plus(bed.settings.ttl()));
    assertThat(command.getServiceSettings()).isNull();
  }

  @Test
  void theServicesGuessCapEndsTheVerification() {
    bed = new DispatcherTestBed(stateDir);
    assertThat(bed.settings.maxWrongGuesses()).as("the deployment allows more").isGreaterThan(2);
    SendCommand command = startedForShop(shop(6));
    String id = command.getVerificationId();

    bed.checkAs("shop-web", SHOP, "wrong-1", id, bed.wrongGuess(command, 1));
    assertThat(bed.onlyReply().getAttemptsRemaining()).isEqualTo(1);
    bed.checkAs("shop-web", SHOP, "wrong-2", id, bed.wrongGuess(command, 2));

    assertThat(bed.state().getStatus()).isEqualTo(VerificationStatus.MAX_ATTEMPTS_REACHED);
  }

  @Test
  void theServicesSendCapRefusesTheSendOverIt() {
    bed = new DispatcherTestBed(stateDir);
    assertThat(bed.settings.maxSends()).as("the deployment allows more").isGreaterThan(2);
    String id = startedForShop(shop(6)).getVerificationId();
    bed.actAs("shop-web", SHOP, RequestAction.RESEND, "resend-1", id);
    bed.onlyCommand();
    bed.replies.readValuesToList();
    bed.events.readValuesToList();

    bed.actAs("shop-web", SHOP, RequestAction.RESEND, "resend-2", id);

    VerificationReply refused = bed.onlyReply();
    assertThat(refused.getKind()).isEqualTo(ReplyKind.REFUSED);
    assertThat(refused.getError()).isEqualTo(VerificationLifecycle.ERROR_MAX_SENDS);
    assertThat(bed.nothingOut()).isTrue();
  }
}
