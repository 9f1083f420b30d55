package dev.maas.registry;

import java.time.Instant;
import java.util.Map;

/**
 * A named model: its versions are numbered from 1 without gaps, and its aliases name versions.
 *
 * @param name the model's name (see {@link Names})
 * @param description free text
 * @param tags key-value labels
 * @param aliases alias to version number
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
    tags = tags == null ? Map.of() : Map.copyOf(tags);
    aliases = aliases == null ? Map.of() : Map.copyOf(aliases);
  }
}
