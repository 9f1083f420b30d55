package dev.maas.web.security;

import java.util.EnumSet;
import java.util.HexFormat;
import java.util.List;
import java.util.Set;

/** One configured API key: its name, the SHA-256 of the key, and its roles (included ones too). */
record ApiKey(String name, byte[] sha256, Set<Role> roles) {

  /** Checks one configured entry; a bad one stops the server with a message naming it. */
  static ApiKey of(String name, String sha256Hex, List<String> roleNames, String source) {
    String where = "API key " + (name == null ? "(no name)" : "'" + name + "'") + " in " + source;
    if (name == null || name.isBlank()) {
      throw new IllegalArgumentException(where + ": 'name' is missing");
    }
    if (sha256Hex == null || !sha256Hex.matches("[0-9a-fA-F]{64}")) {
      throw new IllegalArgumentException(where + ": 'sha256' must be 64 hex digits");
    }
    if (roleNames == null || roleNames.isEmpty()) {
      throw new IllegalArgumentException(where + ": 'roles' is missing");
    }
    Set<Role> roles = EnumSet.noneOf(Role.class);
    try {
      for (String role : roleNames) {
        roles.addAll(Role.parse(role).withIncluded());
      }
    } catch (IllegalArgumentException e) {
      throw new IllegalArgumentException(where + ": " + e.getMessage(), e);
    }
    return new ApiKey(name, HexFormat.of().parseHex(sha256Hex.toLowerCase()), roles);
  }
}
