package dev.maas.web;

import dev.maas.errors.InvalidException;
import dev.maas.errors.TooLargeException;
import jakarta.servlet.http.HttpServletRequest;
import java.io.IOException;
import java.io.InputStream;
import org.springframework.util.unit.DataSize;

/** Reads raw request bodies under a size limit, refusing an oversized one before it is all read. */
public final class RequestBodies {
  private RequestBodies() {}

  /**
   * The request's body; a 413 when it is larger than {@code limit} (told by its Content-Length, or
   * found while reading), a 400 when it is empty.
   *
   * @param what what the body is, for the messages, e.g. "the model file"
   */
  public static byte[] read(HttpServletRequest request, DataSize limit, String what)
      throws IOException {
    long max = limit.toBytes();
    long declared = request.getContentLengthLong();
    if (declared > max) {
      throw tooLarge(what + " is " + declared + " bytes,", limit);
    }
    byte[] body;
    try (InputStream in = request.getInputStream()) {
      body = in.readNBytes((int) Math.min(max + 1, Integer.MAX_VALUE - 8));
    } catch (BodyTooLargeException e) {
      // A chunked body that a limit filter cut off on the way.
      throw tooLarge(what + " is", limit);
    }
    if (body.length > max) {
      throw tooLarge(what + " is", limit);
    }
    if (body.length == 0) {
      throw new InvalidException(what + " (the request body) is missing");
    }
    return body;
  }

  private static TooLargeException tooLarge(String subject, DataSize limit) {
    return new TooLargeException(
        subject + " over the limit of " + limit.toBytes() + " bytes (" + limit + ")");
  }
}
