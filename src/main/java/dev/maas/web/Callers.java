package dev.maas.web;

import java.util.Optional;
import org.springframework.security.authentication.AnonymousAuthenticationToken;
import org.springframework.security.core.Authentication;
import org.springframework.security.core.context.SecurityContextHolder;

/**
 * Who is calling: the name of the API key the current request was authenticated with, for features
 * that count or record per caller (e.g. the training jobs of one key). Empty when security is
 * disabled or outside a request.
 */
public final class Callers {
  private Callers() {}

  /** The current request's API key name, if it was authenticated with one. */
  public static Optional<String> current() {
    Authentication authentication = SecurityContextHolder.getContext().getAuthentication();
    if (authentication == null
        || !authentication.isAuthenticated()
        || authentication instanceof AnonymousAuthenticationToken) {
      return Optional.empty();
    }
    return Optional.ofNullable(authentication.getName());
  }
}
