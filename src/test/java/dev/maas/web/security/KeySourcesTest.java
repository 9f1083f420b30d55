package dev.maas.web.security;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.io.TempDir;
import org.springframework.boot.test.system.CapturedOutput;
import org.springframework.boot.test.system.OutputCaptureExtension;

@ExtendWith(OutputCaptureExtension.class)
class KeySourcesTest {
  @TempDir Path data;

  private static SecurityProperties security(List<SecurityProperties.ApiKey> keys, Path file) {
    return new SecurityProperties(true, keys, file, true, 200, null);
  }

  @Test
  void withNoKeyConfiguredAnAdminKeyIsGeneratedPrintedOnceAndOnlyItsHashIsKept(
      CapturedOutput output) throws Exception {
    ApiKeys first = KeySources.load(security(null, null), data);
    Matcher printed = Pattern.compile("\\s(maas_[A-Za-z0-9_-]{43})\\s").matcher(output.getAll());
    assertThat(printed.find()).as("the key is printed").isTrue();
    String key = printed.group(1);
    assertThat(first.authenticate(key)).hasValueSatisfying(k -> assertThat(k.roles()).hasSize(3));

    String stored = Files.readString(data.resolve(KeySources.GENERATED_KEY_FILE));
    assertThat(stored).doesNotContain(key).contains(Keys.sha256(key));

    int printedBefore = output.getAll().split(key, -1).length;
    ApiKeys second = KeySources.load(security(null, null), data);
    assertThat(second.authenticate(key)).isPresent();
    assertThat(output.getAll().split(key, -1).length)
        .as("not printed again")
        .isEqualTo(printedBefore);
  }

  @Test
  void configuredKeysReplaceTheGeneratedOne() {
    var key = new SecurityProperties.ApiKey("ci", Keys.sha256("k1"), List.of("train"));
    ApiKeys keys = KeySources.load(security(List.of(key), null), data);
    assertThat(keys.size()).isOne();
    assertThat(keys.authenticate("k1").orElseThrow().roles())
        .containsExactlyInAnyOrder(Role.PREDICT, Role.TRAIN);
    assertThat(keys.authenticate("k2")).isEmpty();
    assertThat(data.resolve(KeySources.GENERATED_KEY_FILE)).doesNotExist();
  }

  @Test
  void aKeysFileMayBeYamlOrJson() throws Exception {
    Path yaml = data.resolve("keys.yaml");
    Files.writeString(yaml, "- name: a\n  sha256: " + Keys.sha256("ka") + "\n  roles: [predict]\n");
    Path json = data.resolve("keys.json");
    Files.writeString(
        json,
        "{\"keys\": [{\"name\": \"b\", \"sha256\": \""
            + Keys.sha256("kb").toUpperCase()
            + "\", \"roles\": [\"admin\"]}]}");
    assertThat(KeySources.load(security(null, yaml), data).authenticate("ka")).isPresent();
    assertThat(KeySources.load(security(null, json), data).authenticate("kb")).isPresent();
  }

  @Test
  void aBadEntryStopsTheServerWithAMessageNamingIt() {
    var noHash = new SecurityProperties.ApiKey("x", "abc", List.of("predict"));
    assertThatThrownBy(() -> KeySources.load(security(List.of(noHash), null), data))
        .hasMessageContaining("API key 'x'")
        .hasMessageContaining("64 hex digits");
    var badRole = new SecurityProperties.ApiKey("y", Keys.sha256("k"), List.of("root"));
    assertThatThrownBy(() -> KeySources.load(security(List.of(badRole), null), data))
        .hasMessageContaining("unknown role 'root'");
    var one = new SecurityProperties.ApiKey("z", Keys.sha256("k"), List.of("predict"));
    assertThatThrownBy(() -> KeySources.load(security(List.of(one, one), null), data))
        .hasMessageContaining("used twice");
  }
}
