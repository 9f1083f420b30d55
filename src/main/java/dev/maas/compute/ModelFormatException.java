package dev.maas.compute;

import java.io.IOException;

/**
 * Bytes that are not a valid maas model file: not one at all, truncated, corrupted, from a newer
 * format version, or with a manifest that breaks a rule of the format. The message says which.
 *
 * <p>Checked, and an {@link IOException} like {@link java.util.zip.ZipException}: a bad file is an
 * expected outcome of reading stored bytes that every caller must decide about (a registry marks
 * the version unreadable; it must not crash or serve a half-read model), and a caller reading from
 * a stream handles it together with the stream's own failures. A plain {@code IOException} from
 * {@link ModelCodec#read(java.io.InputStream)} means the stream failed, not that the file is bad.
 */
public class ModelFormatException extends IOException {

  public ModelFormatException(String message) {
    super(message);
  }

  public ModelFormatException(String message, Throwable cause) {
    super(message, cause);
  }
}
