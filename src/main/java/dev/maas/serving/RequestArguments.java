package dev.maas.serving;

import dev.maas.errors.DomainException;
import dev.maas.errors.InvalidException;
import jakarta.servlet.http.HttpServletRequest;
import java.util.Map;
import org.springframework.web.servlet.HandlerMapping;

/** Path variables and query parameters of the prediction endpoints, read from the request. */
final class RequestArguments {
  private RequestArguments() {}

  /** A path variable of the matched mapping, e.g. {@code name} of {@code /models/{name}}. */
  static String pathVariable(HttpServletRequest request, String name) {
    @SuppressWarnings("unchecked")
    Map<String, String> variables =
        (Map<String, String>) request.getAttribute(HandlerMapping.URI_TEMPLATE_VARIABLES_ATTRIBUTE);
    String value = variables == null ? null : variables.get(name);
    if (value == null) {
      throw new IllegalStateException("the mapping has no path variable '" + name + "'");
    }
    return value;
  }

  /** An optional integer query parameter; text that is not one is an InvalidException. */
  static Integer integer(HttpServletRequest request, String name) {
    String value = request.getParameter(name);
    if (value == null) {
      return null;
    }
    try {
      return Integer.valueOf(value.trim());
    } catch (NumberFormatException e) {
      throw new InvalidException(
          "'" + name + "' must be an integer, not '" + DomainException.abbreviate(value) + "'");
    }
  }

  /**
   * A model version as a path or a request names it: a whole number from 1; anything else is an
   * InvalidException saying what {@code accepted} is.
   */
  static Integer versionNumber(String version, String accepted) {
    try {
      int v = Integer.parseInt(version);
      if (v >= 1) {
        return v;
      }
    } catch (NumberFormatException e) {
      // answered below
    }
    throw new InvalidException(
        "a model version is " + accepted + ", was '" + DomainException.abbreviate(version) + "'");
  }
}
