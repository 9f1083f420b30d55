package dev.maas.web;

import org.springframework.http.HttpStatus;

/** A request that breaks a rule: a malformed name, body or parameter: 400. */
public class BadRequestException extends ApiException {
  public BadRequestException(String message) {
    super(HttpStatus.BAD_REQUEST, message);
  }
}
