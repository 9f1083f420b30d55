package dev.maas.web.security;

import java.util.EnumSet;
import java.util.Locale;
import java.util.Set;

/**
 * What an API key may do. Each role includes the ones below it: {@code admin} can do everything,
 * {@code train} can also predict.
 */
enum Role {
  /** Predict, read model metadata, the v2 inference protocol. */
  PREDICT,
  /** Datasets and training jobs, plus predict. */
  TRAIN,
  /** Everything: aliases, deletes, imports, capacity. */
  ADMIN;

  /** The lower-case name used in configuration and messages. */
  String id() {
    return name().toLowerCase(Locale.ROOT);
  }

  /** The Spring Security authority a caller with this role holds. */
  String authority() {
    return "ROLE_" + name();
  }

  /** This role and every role it includes. */
  Set<Role> withIncluded() {
    return EnumSet.range(PREDICT, this);
  }

  static Role parse(String text) {
    for (Role role : values()) {
      if (role.id().equals(text == null ? null : text.trim().toLowerCase(Locale.ROOT))) {
        return role;
      }
    }
    throw new IllegalArgumentException(
        "unknown role '" + text + "'; the roles are predict, train and admin");
  }
}
