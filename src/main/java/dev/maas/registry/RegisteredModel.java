package dev.maas.registry;

import java.time.Instant;
import java.util.Collections;
import java.util.Map;
import java.util.TreeMap;

/**
 * A named model: its versions are numbered from 1 without gaps, and its aliases name versions.
 *
 * @param name the model's name (see {@link Names})
 * @param description free text
 * @param tags key-value labels, in key order
 * @param aliases alias to version number, in alias order (the same order on every read and run)
 * @param createdAt when the first version was registered
 * @param updatedAt when the model, a version or an alias last changed
 * @param latestVersion the highest version number, 0 when every version was deleted
 */
public record RegisteredModel(
    String name,
    String description,
    Map<String, String> tags,
    Map<String, Integer> aliases,
    Instant createdAt,
    Instant updatedAt,
    int latestVersion) {

  public RegisteredModel {
    tags = sorted(tags);
    aliases = sorted(aliases);
  }

  /** An unmodifiable copy in key order; no null keys or values. */
  static <V> Map<String, V> sorted(Map<String, V> map) {
    return map == null || map.isEmpty()
        ? Map.of()
        : Collections.unmodifiableSortedMap(new TreeMap<>(Map.copyOf(map)));
  }
}
