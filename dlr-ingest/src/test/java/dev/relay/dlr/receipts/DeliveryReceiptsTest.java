package dev.relay.dlr.receipts;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.relay.providers.receipt.Receipt;
import dev.relay.schemas.DeliveryReceipt;
import dev.relay.schemas.DeliveryStatus;
import dev.relay.support.phone.InvalidPhoneNumberException;
import java.time.Instant;
import org.junit.jupiter.api.Test;

class DeliveryReceiptsTest {

  private static Receipt receipt(String provider, String messageId, DeliveryStatus status, String vendorStatus) {
    return new Receipt(provider, messageId, "VE1-1", "+4915112345678", status, vendorStatus, null, null);
  }

  @Test
  void theReceiptIdIsStableAcrossCopiesAndCaseButNotAcrossStatusMessageOrProvider() {
    String id = DeliveryReceipts.receiptId(receipt("vonage", "0A0000001234567B", DeliveryStatus.DELIVERED, "delivered"));

    assertThat(DeliveryReceipts.receiptId(receipt("vonage", "0a0000001234567b", DeliveryStatus.DELIVERED, "delivered"))).isEqualTo(id);
    assertThat(DeliveryReceipts.receiptId(receipt("vonage", "0A0000001234567B", DeliveryStatus.FAILED, "failed"))).isNotEqualTo(id);
    assertThat(DeliveryReceipts.receiptId(receipt("vonage", "0A0000001234567C", DeliveryStatus.DELIVERED, "delivered"))).isNotEqualTo(id);
    assertThat(DeliveryReceipts.receiptId(receipt("twilio", "0A0000001234567B", DeliveryStatus.DELIVERED, "delivered"))).isNotEqualTo(id);
    assertThat(id).startsWith("DR").hasSize(26);
  }

  @Test
  void keysByTheE164NumberAndTakesTheVendorsTimeForAReceiptThatCameLate() {
    Instant received = Instant.parse("2024-05-01T10:03:05Z");
    Receipt withTime = new Receipt("twilio", "SM1", null, "+49 151 12345678", DeliveryStatus.SENT, "sent", null,
        Instant.parse("2024-05-01T10:00:00Z"));

    DeliveryReceipts.Keyed keyed = DeliveryReceipts.of(withTime, received);

    assertThat(keyed.key()).isEqualTo("+4915112345678");
    DeliveryReceipt value = keyed.value();
    assertThat(value.getTo()).isEqualTo("+4915112345678");
    assertThat(value.getCountry()).isEqualTo("DE");
    assertThat(value.getFinalStatus()).isFalse();
    assertThat(value.getIdempotencyKey()).isNull();
    assertThat(value.getOccurredAt()).isEqualTo(Instant.parse("2024-05-01T10:00:00Z"));
    assertThat(value.getReceivedAt()).isEqualTo(received);
  }

  @Test
  void aVendorStampWithinItsMinuteOfPrecisionOrAheadOfOurClockGivesWayToTheTimeOfReceipt() {
    Instant received = Instant.parse("2024-05-01T10:00:42.250Z");

    // A delivery 12 s after a send at 10:00:30, stamped to the minute by the vendor.
    assertThat(DeliveryReceipts.occurredAt(Instant.parse("2024-05-01T10:00:00Z"), received)).isEqualTo(received);
    assertThat(DeliveryReceipts.occurredAt(Instant.parse("2024-05-01T10:01:00Z"), received)).isEqualTo(received);
    assertThat(DeliveryReceipts.occurredAt(null, received)).isEqualTo(received);
    assertThat(DeliveryReceipts.occurredAt(Instant.parse("2024-05-01T09:59:30Z"), received))
        .isEqualTo(Instant.parse("2024-05-01T09:59:30Z"));
  }

  @Test
  void refusesARecipientThatIsNotANumber() {
    assertThatThrownBy(() -> DeliveryReceipts.of(new Receipt("twilio", "SM1", null, "+12", DeliveryStatus.SENT, "sent", null, null),
        Instant.EPOCH)).isInstanceOf(InvalidPhoneNumberException.class);
  }
}
