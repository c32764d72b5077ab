package dev.relay.support.http;

import static org.assertj.core.api.Assertions.assertThat;

import java.net.http.HttpClient;
import java.util.List;
import org.junit.jupiter.api.Test;

class HttpClientsTest {

  @Test
  void theThreadsOfAClientBuiltForAnOwnerAreThatOwners() {
    List<String> before = clientThreads();
    HttpClient client = HttpClients.build("a-test-owner", HttpClient.newBuilder());

    // The JDK starts a client's selector thread as the client is built.
    List<String> started = clientThreads().stream().filter(name -> !before.contains(name)).toList();
    assertThat(client).isNotNull();
    assertThat(started).isNotEmpty()
        .allSatisfy(name -> assertThat(HttpClients.ownerOfThread(name)).contains("a-test-owner"));
  }

  @Test
  void otherThreadsAndClientsBuiltElsewhereHaveNoOwner() {
    List<String> before = clientThreads();
    HttpClient unowned = HttpClient.newHttpClient();

    List<String> started = clientThreads().stream().filter(name -> !before.contains(name)).toList();
    assertThat(unowned).isNotNull();
    assertThat(started).isNotEmpty().allSatisfy(name -> assertThat(HttpClients.ownerOfThread(name)).isEmpty());
    assertThat(HttpClients.ownerOfThread("main")).isEmpty();
    assertThat(HttpClients.ownerOfThread("http-verification-api-3")).isEmpty();
  }

  private static List<String> clientThreads() {
    return Thread.getAllStackTraces().keySet().stream().map(Thread::getName)
        .filter(name -> name.startsWith("HttpClient-")).toList();
  }
}
