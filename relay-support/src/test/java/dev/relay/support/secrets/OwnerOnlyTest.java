package dev.relay.support.secrets;

import static org.assertj.core.api.Assertions.assertThat;

import dev.relay.support.config.CommonKeys;
import dev.relay.support.config.ConfigSchema;
import dev.relay.support.config.RelayConfig;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class OwnerOnlyTest {

  @TempDir
  Path dir;

  private static String permissions(Path path) throws Exception {
    return PosixFilePermissions.toString(Files.getPosixFilePermissions(path));
  }

  @Test
  void aConfigFileWithSecretsIsTightenedWhenReadAndStillRead() throws Exception {
    Path file = dir.resolve("relay.properties");
    Files.writeString(file, CommonKeys.ID_KEYS.name() + "=" + Keyring.generateSetting("k1") + "\n");
    Files.setPosixFilePermissions(file, PosixFilePermissions.fromString("rw-rw-r--"));

    RelayConfig config = RelayConfig.load(ConfigSchema.of(List.of(CommonKeys.ID_KEYS)), Map.of(),
        new String[] {"--config=" + file});

    assertThat(permissions(file)).isEqualTo("rw-------");
    assertThat(config.find(CommonKeys.ID_KEYS)).isPresent();
  }

  @Test
  void aDirectoryKeepsOnlyItsOwnersBitsAndATightFileIsLeftAlone() throws Exception {
    Path state = Files.createDirectories(dir.resolve("state"));
    Files.setPosixFilePermissions(state, PosixFilePermissions.fromString("rwxrwxrwx"));
    Path tight = Files.writeString(dir.resolve("tight"), "x");
    Files.setPosixFilePermissions(tight, PosixFilePermissions.fromString("r--------"));

    assertThat(OwnerOnly.tighten(state)).isTrue();
    assertThat(OwnerOnly.tighten(tight)).isFalse();
    assertThat(OwnerOnly.tighten(dir.resolve("absent"))).isFalse();

    assertThat(permissions(state)).isEqualTo("rwx------");
    assertThat(permissions(tight)).isEqualTo("r--------");
  }
}
