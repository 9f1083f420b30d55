package dev.maas.registry;

import dev.maas.errors.InvalidException;
import java.util.regex.Pattern;

/** The naming rules of registered models and aliases. */
public final class Names {
  /** Lower-case letters, digits, '.', '_' and '-', starting with a letter or digit, 1-63 long. */
  public static final String RULE = "[a-z0-9][a-z0-9._-]{0,62}";

  private static final Pattern NAME = Pattern.compile(RULE);
  private static final Pattern NUMBER = Pattern.compile("[0-9]+");

  private Names() {}

  /**
   * Returns {@code name} if it is a valid model name, else throws {@link InvalidException} stating
   * the rule.
   */
  public static String model(String name) {
    if (!isModel(name)) {
      throw new InvalidException(
          "model name '" + name + "' must match " + RULE + " (lower case, 1 to 63 characters)");
    }
    return name;
  }

  /** Whether {@code name} is a valid model name. */
  public static boolean isModel(String name) {
    return name != null && NAME.matcher(name).matches();
  }

  /** Returns {@code alias} if it is a valid alias: the model name rule, and not a number. */
  public static String alias(String alias) {
    if (alias == null || !NAME.matcher(alias).matches() || NUMBER.matcher(alias).matches()) {
      throw new InvalidException(
          "alias '"
              + alias
              + "' must match "
              + RULE
              + " and must not be a number (numbers name versions)");
    }
    return alias;
  }
}
