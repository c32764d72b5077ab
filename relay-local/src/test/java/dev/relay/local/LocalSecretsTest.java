package dev.relay.local;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class LocalSecretsTest {

  @TempDir
  Path parent;

  @Test
  void anExistingSecretsFileAndDataDirectoryOpenToOthersAreTightenedOnStartAndKeptAsTheyWere() throws Exception {
    Path dataDir = Files.createDirectories(parent.resolve("data"));
    Files.setPosixFilePermissions(dataDir, PosixFilePermissions.fromString("rwxr-xr-x"));
    Path file = dataDir.resolve(LocalSecrets.FILE);
    Files.writeString(file, "api-key=kept\n");
    Files.setPosixFilePermissions(file, PosixFilePermissions.fromString("rw-r--r--"));

    LocalSecrets secrets = LocalSecrets.loadOrCreate(dataDir);

    assertThat(PosixFilePermissions.toString(Files.getPosixFilePermissions(dataDir))).isEqualTo("rwx------");
    assertThat(PosixFilePermissions.toString(Files.getPosixFilePermissions(file))).isEqualTo("rw-------");
    assertThat(secrets.get(LocalSecrets.API_KEY)).isEqualTo("kept");
  }

  @Test
  void aNewDataDirectoryIsTheOwnersAlone() throws Exception {
    Path dataDir = parent.resolve("fresh");

    LocalSecrets.loadOrCreate(dataDir);

    assertThat(PosixFilePermissions.toString(Files.getPosixFilePermissions(dataDir))).isEqualTo("rwx------");
    assertThat(PosixFilePermissions.toString(Files.getPosixFilePermissions(dataDir.resolve(LocalSecrets.FILE))))
        .isEqualTo("rw-------");
  }
}
