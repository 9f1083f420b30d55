package dev.maas.web;

import java.io.IOException;

/**
 * Thrown from inside a limited request body's stream when it grows past its limit. It is an {@link
 * IOException} so that it passes through the JSON parser; {@link ProblemDetailsAdvice} finds it in
 * the cause chain and answers 413.
 */
public class BodyTooLargeException extends IOException {
  public BodyTooLargeException(String message) {
    super(message);
  }
}
