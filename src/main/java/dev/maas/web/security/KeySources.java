package dev.maas.web.security;

import dev.maas.storage.DurableFiles;
import dev.maas.storage.SharedStore;
import dev.maas.storage.Sql;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.SecureRandom;
import java.util.ArrayList;
import java.util.Base64;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.yaml.snakeyaml.LoaderOptions;
import org.yaml.snakeyaml.Yaml;
import org.yaml.snakeyaml.constructor.SafeConstructor;

/**
 * Gathers the API keys: those in {@code maas.security.keys}, those in {@code
 * maas.security.keys-file} (YAML or JSON: a list of {@code name}, {@code sha256}, {@code roles}),
 * and, when neither names one, the admin key generated at first start: its hash is kept in {@code
 * security/admin-key.yaml} under the data directory (in shared mode, in the shared database) and
 * the key itself is printed once.
 */
final class KeySources {
  private static final Logger log = LoggerFactory.getLogger(KeySources.class);
  static final String GENERATED_KEY_FILE = "security/admin-key.yaml";

  private KeySources() {}

  static ApiKeys load(SecurityProperties security, Path dataDirectory) {
    return load(security, dataDirectory, null);
  }

  /**
   * As {@link #load(SecurityProperties, Path)}; with a shared store the generated admin key's hash
   * is kept in its database instead (table {@code generated_keys}), so that every replica accepts
   * the one key the first replica generated.
   */
  static ApiKeys load(SecurityProperties security, Path dataDirectory, SharedStore shared) {
    List<ApiKey> keys = new ArrayList<>();
    for (SecurityProperties.ApiKey key : security.keys()) {
      keys.add(ApiKey.of(key.name(), key.sha256(), key.roles(), "maas.security.keys"));
    }
    if (security.keysFile() != null) {
      keys.addAll(readFile(security.keysFile()));
    }
    if (keys.isEmpty()) {
      keys.addAll(
          shared == null
              ? generatedAdminKey(dataDirectory.resolve(GENERATED_KEY_FILE))
              : generatedAdminKey(shared));
    }
    return new ApiKeys(keys);
  }

  /** The keys of a YAML or JSON file: a list of entries, or a map with a {@code keys} list. */
  static List<ApiKey> readFile(Path file) {
    String source = "maas.security.keys-file " + file;
    String text;
    try {
      text = Files.readString(file, StandardCharsets.UTF_8);
    } catch (IOException e) {
      throw new UncheckedIOException("cannot read " + source, e);
    }
    return parse(text, source);
  }

  /** The keys of a YAML or JSON document read from {@code source}. */
  static List<ApiKey> parse(String text, String source) {
    Object document;
    try {
      document = new Yaml(new SafeConstructor(new LoaderOptions())).load(text);
    } catch (RuntimeException e) {
      throw new IllegalArgumentException(source + " is neither YAML nor JSON", e);
    }
    if (document instanceof Map<?, ?> map && map.containsKey("keys")) {
      document = map.get("keys");
    }
    if (document == null) {
      return List.of();
    }
    if (!(document instanceof List<?> entries)) {
      throw new IllegalArgumentException(source + " must hold a list of keys");
    }
    List<ApiKey> keys = new ArrayList<>();
    for (Object entry : entries) {
      if (!(entry instanceof Map<?, ?> fields)) {
        throw new IllegalArgumentException(source + ": each key must be a map");
      }
      keys.add(
          ApiKey.of(
              text(fields.get("name")),
              text(fields.get("sha256")),
              roles(fields.get("roles")),
              source));
    }
    return keys;
  }

  /**
   * The generated admin key's hash from the shared database; the first replica to start generates
   * the key, stores its hash (the insert that wins) and prints it, the others read that hash.
   */
  private static List<ApiKey> generatedAdminKey(SharedStore shared) {
    String source = "the shared store's generated admin key";
    String stored = storedAdminKey(shared);
    if (stored != null) {
      log.info("API keys: using the generated admin key whose hash is in the shared database");
      return parse(stored, source);
    }
    String key = newKey();
    String yaml = adminKeyYaml(key);
    int inserted =
        Sql.transaction(
            shared.data(),
            c ->
                Sql.update(
                    c,
                    "INSERT INTO generated_keys (name, document) VALUES ('admin', ?)"
                        + " ON CONFLICT (name) DO NOTHING",
                    yaml));
    if (inserted == 0) {
      return parse(storedAdminKey(shared), source); // another replica was first
    }
    log.warn(
        "No API key is configured, so an admin key was generated. It is shown only this once;"
            + " keep it safe (only its hash is stored, in the shared database):\n\n    {}\n",
        key);
    return parse(yaml, source);
  }

  private static String storedAdminKey(SharedStore shared) {
    return Sql.read(
        shared.data(),
        c -> {
          try (var s =
                  c.prepareStatement("SELECT document FROM generated_keys WHERE name = 'admin'");
              var r = s.executeQuery()) {
            return r.next() ? r.getString(1) : null;
          }
        });
  }

  private static String newKey() {
    byte[] random = new byte[32];
    new SecureRandom().nextBytes(random);
    return "maas_" + Base64.getUrlEncoder().withoutPadding().encodeToString(random);
  }

  private static String adminKeyYaml(String key) {
    String hash = HexFormat.of().formatHex(ApiKeys.sha256(key.getBytes(StandardCharsets.UTF_8)));
    return "- name: admin\n  sha256: " + hash + "\n  roles: [admin]\n";
  }

  private static List<ApiKey> generatedAdminKey(Path file) {
    if (Files.exists(file)) {
      List<ApiKey> keys = readFile(file);
      log.info("API keys: using the generated admin key whose hash is in {}", file);
      return keys;
    }
    String key = newKey();
    String yaml = adminKeyYaml(key);
    try {
      Files.createDirectories(file.getParent());
      DurableFiles.writeAtomically(file, yaml.getBytes(StandardCharsets.UTF_8));
    } catch (IOException e) {
      throw new UncheckedIOException("cannot store the generated admin key's hash in " + file, e);
    }
    log.warn(
        "No API key is configured, so an admin key was generated. It is shown only this once;"
            + " keep it safe (only its hash is stored, in {}):\n\n    {}\n",
        file,
        key);
    return readFile(file);
  }

  private static String text(Object value) {
    return value == null ? null : value.toString();
  }

  private static List<String> roles(Object value) {
    if (value == null) {
      return null;
    }
    if (value instanceof List<?> list) {
      return list.stream().map(String::valueOf).toList();
    }
    return List.of(value.toString().split(","));
  }
}
