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
   * The request's body; {@link TooLargeException} when it is larger than {@code limit} (told by its
   * Content-Length before anything is read, or found while reading a chunked body), {@link
   * InvalidException} when it is empty. The one check of a raw body's size: no filter checks it
   * again.
   *
   * @param what what the body is, for the messages, e.g. "the model file"
   */
  public static byte[] read(HttpServletRequest request, DataSize limit, String what)
      throws IOException {
    return read(request, limit, limit.toString(), what);
  }

  /**
   * As {@link #read(HttpServletRequest, DataSize, String)}, the message naming {@code setting}
   * (e.g. {@code maas.serving.max-request-size}) as the limit's source.
   */
  public static byte[] read(HttpServletRequest request, DataSize limit, String setting, String what)
      throws IOException {
    long max = limit.toBytes();
    long declared = request.getContentLengthLong();
    if (declared > max) {
      throw tooLarge(what + " is " + declared + " bytes,", max, setting);
    }
    byte[] body;
    try (InputStream in = request.getInputStream()) {
      body = in.readNBytes((int) Math.min(max + 1, Integer.MAX_VALUE - 8));
    }
    if (body.length > max) {
      throw tooLarge(what + " is", max, setting);
    }
    if (body.length == 0) {
      throw new InvalidException(what + " (the request body) is missing");
    }
    return body;
  }

  private static TooLargeException tooLarge(String subject, long max, String source) {
    return new TooLargeException(subject + " over the limit of " + max + " bytes (" + source + ")");
  }
}
