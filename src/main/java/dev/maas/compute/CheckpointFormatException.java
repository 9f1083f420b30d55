package dev.maas.compute;

import java.io.IOException;

/**
 * Bytes that are not a valid maas training checkpoint: not one at all, truncated, corrupted (a
 * checksum does not match), from a newer format version, or with a manifest that breaks a rule of
 * the format. The message says which. A caller falls back to an older checkpoint or to the start.
 *
 * <p>Checked, like {@link ModelFormatException}: a damaged checkpoint is an expected outcome of
 * reading stored bytes. A plain {@link IOException} from {@link
 * CheckpointCodec#read(java.io.InputStream)} means the stream failed, not that the bytes are bad.
 */
public class CheckpointFormatException extends IOException {

  public CheckpointFormatException(String message) {
    super(message);
  }

  public CheckpointFormatException(String message, Throwable cause) {
    super(message, cause);
  }
}
