package dev.maas.web;

import org.springframework.http.HttpStatus;

/** An unknown model, version, alias, dataset or job: 404. */
public class NotFoundException extends ApiException {
  public NotFoundException(String message) {
    super(HttpStatus.NOT_FOUND, message);
  }
}
