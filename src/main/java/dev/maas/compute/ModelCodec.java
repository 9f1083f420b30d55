package dev.maas.compute;

import dev.maas.compute.ModelManifest.TensorEntry;
import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.DoubleBuffer;
import java.nio.FloatBuffer;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import java.util.HexFormat;
import java.util.List;
import java.util.zip.CRC32C;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;

/**
 * The model file format: how a {@link TrainedModel} is stored as bytes, and read back safely from
 * bytes nobody vouches for. Data only: a JSON manifest and raw tensors, no Java serialization and
 * no type names, so reading a file can build nothing but a model.
 *
 * <h2>Layout (format version 2, the same as version 1; all integers little-endian)</h2>
 *
 * <pre>
 * offset   bytes  field
 * 0        8      magic, ASCII "MAASMODL"
 * 8        4      format version, uint32 (2)
 * 12       4      manifest length M, uint32
 * 16       M      manifest, UTF-8 JSON (see below)
 * 16+M     4      manifest checksum: CRC-32C of bytes [0, 16+M)
 * 20+M     D      tensor data: each tensor's raw little-endian values, back to back in table order
 * 20+M+D   4      file checksum: CRC-32C of bytes [0, 20+M+D)
 * </pre>
 *
 * Nothing follows the file checksum. The manifest has its own checksum so that a reader verifies it
 * before interpreting it: a corrupted manifest reads as "checksum mismatch", not as a manifest that
 * happens to say something else. The file checksum covers everything else.
 *
 * <p>The manifest is an object with exactly these fields: {@code formatVersion} (equal to the
 * header's), {@code family}, {@code spec} (the API's canonical spec object for that family), {@code
 * task}, {@code inputShape}, {@code outputs}, {@code labels} (null for regression), {@code
 * dataType} ({@code float32} or {@code float64}), {@code inputScaler} and {@code targetScaler}
 * ({@code {"mean": [...], "scale": [...]}}, the latter null for classification), {@code metrics}
 * ({@link Metrics#asMap()}, non-finite values as the strings {@code "NaN"}, {@code "Infinity"},
 * {@code "-Infinity"}; or null) and {@code tensors}: the table of {@code {name, dtype, shape,
 * offset, length}} entries, offsets counted from the start of the tensor data; and, optionally,
 * {@code features} (the input values' names) and, from version 2, {@code preprocessing} ({@link
 * PreprocessorJson}), which version 1 files lack and which is all that version 2 adds. There is one
 * tensor, {@code parameters}: the network's flat parameter vector in the model's data type, so a
 * FLOAT model's parameters come back bit for bit. Scalers are JSON numbers rather than tensors:
 * there are few of them, a registry can show them without reading tensors, and JSON doubles
 * round-trip exactly (written as the shortest decimal that parses back to the same double).
 *
 * <h2>Reading</h2>
 *
 * Every check runs before the memory it guards is allocated, and every failure is a {@link
 * ModelFormatException} saying what is wrong: the magic ("not a maas model file"); the version (a
 * newer one names the version this reader supports); the manifest's length against {@link
 * Limits#maxManifestBytes()}, then its checksum; then the manifest, strictly: valid UTF-8 JSON
 * without duplicate keys, no missing or unknown fields, no coerced values, a known family whose
 * spec record is picked by the family (never by anything the JSON names), a spec that is valid for
 * the task and input shape, finite scalers with positive scales of the input shape's size, metrics
 * of the task's kind, tensor lengths equal to their shape's product times the type's width and in
 * total under {@link Limits#maxTensorBytes()}, and exactly the parameter count that the spec's
 * network has (computed from layer shapes, without allocating the network). Tensor bytes are then
 * read in chunks as they arrive, so a file that claims more than it holds fails as "truncated"
 * having allocated at most one chunk more than it sent. The file checksum is verified and the end
 * of the stream required before the model is built.
 *
 * <p>Format versions: a change to the layout or the manifest that an older reader would misread
 * increments the version; a reader reads every version up to its own and refuses newer ones.
 */
public final class ModelCodec {

  /** The version this class writes, and the newest it reads. */
  public static final int FORMAT_VERSION = 2;

  private static final byte[] MAGIC = "MAASMODL".getBytes(StandardCharsets.US_ASCII);

  private ModelCodec() {}

  /**
   * Upper bounds a reader enforces before allocating.
   *
   * @param maxManifestBytes largest manifest accepted
   * @param maxTensorBytes largest total of tensor data accepted
   */
  public record Limits(int maxManifestBytes, long maxTensorBytes) {
    /** 16 MiB of manifest and 2 GiB of tensors. */
    public static final Limits DEFAULT = new Limits(16 << 20, 2L << 30);

    public Limits {
      if (maxManifestBytes < 1 || maxTensorBytes < 1) {
        throw new IllegalArgumentException("limits must be positive");
      }
    }
  }

  /**
   * Writes {@code model} to {@code out} and flushes it; does not close it. The same model always
   * gives the same bytes.
   */
  public static void write(TrainedModel model, OutputStream out) throws IOException {
    write(model, null, out);
  }

  /**
   * Writes {@code model} with {@code provenance} (may be null) in its manifest to {@code out} and
   * flushes it; does not close it. The same model and provenance always give the same bytes.
   */
  public static void write(TrainedModel model, ModelProvenance provenance, OutputStream out)
      throws IOException {
    byte[] manifest = ManifestJson.write(ModelManifest.of(model, FORMAT_VERSION, provenance));
    ByteBuffer head = ByteBuffer.allocate(20 + manifest.length).order(ByteOrder.LITTLE_ENDIAN);
    head.put(MAGIC).putInt(FORMAT_VERSION).putInt(manifest.length).put(manifest);
    CRC32C crc = new CRC32C();
    crc.update(head.array(), 0, head.position());
    head.putInt((int) crc.getValue());
    crc.update(head.array(), head.position() - 4, 4);
    out.write(head.array());
    writeParameters(model.parameterArray(), out, crc);
    out.write(
        ByteBuffer.allocate(4).order(ByteOrder.LITTLE_ENDIAN).putInt((int) crc.getValue()).array());
    out.flush();
  }

  /** The model file of {@code model}, in memory: for models well under 2 GiB. */
  public static byte[] toBytes(TrainedModel model) {
    return toBytes(model, null);
  }

  /** The model file of {@code model} with {@code provenance} (may be null), in memory. */
  public static byte[] toBytes(TrainedModel model, ModelProvenance provenance) {
    long size = model.parameterCount() * model.dataType().width() + 65536;
    ByteArrayOutputStream out = new ByteArrayOutputStream((int) Math.min(size, 1 << 30));
    try {
      write(model, provenance, out);
    } catch (IOException e) {
      throw new UncheckedIOException(e); // a ByteArrayOutputStream does not throw
    }
    return out.toByteArray();
  }

  /**
   * Reads a model from {@code in} with the {@link Limits#DEFAULT default limits}, consuming the
   * stream to its end; does not close it. The caller closes the returned model.
   *
   * @throws ModelFormatException when the bytes are not a valid model file
   * @throws IOException when the stream itself fails
   */
  public static TrainedModel read(InputStream in) throws IOException {
    return read(in, Limits.DEFAULT);
  }

  /** Reads a model from {@code in} under {@code limits}; see {@link #read(InputStream)}. */
  public static TrainedModel read(InputStream in, Limits limits) throws IOException {
    return read(new ModelInput(in, -1), limits);
  }

  /** Reads a model from a whole file's bytes; the caller closes the returned model. */
  public static TrainedModel read(byte[] file) throws ModelFormatException {
    return fromMemory(file, input -> read(input, Limits.DEFAULT));
  }

  /**
   * Reads and verifies a whole file but keeps only its manifest: a model's description without the
   * memory of its parameters. The tensor bytes are read and checksummed, not kept.
   */
  public static ModelManifest readManifest(InputStream in) throws IOException {
    return readManifest(new ModelInput(in, -1), Limits.DEFAULT);
  }

  /** The manifest of a whole file's bytes; see {@link #readManifest(InputStream)}. */
  public static ModelManifest readManifest(byte[] file) throws ModelFormatException {
    return fromMemory(file, input -> readManifest(input, Limits.DEFAULT));
  }

  private interface Reading<T> {
    T from(ModelInput input) throws IOException;
  }

  private static <T> T fromMemory(byte[] file, Reading<T> reading) throws ModelFormatException {
    try {
      return reading.from(new ModelInput(new ByteArrayInputStream(file), file.length));
    } catch (ModelFormatException e) {
      throw e;
    } catch (IOException e) {
      throw new UncheckedIOException(e); // a ByteArrayInputStream does not throw
    }
  }

  private static TrainedModel read(ModelInput input, Limits limits) throws IOException {
    ModelManifest manifest = readHead(input, limits);
    TensorEntry entry = manifest.tensors().get(0); // version 1: the parameters alone
    List<byte[]> chunks = input.readChunks(entry.length(), "tensor '" + entry.name() + "'");
    readTrailer(input);
    double[] parameters = decode(chunks, entry);
    try {
      return TrainedModel.create(
              manifest.spec(),
              manifest.inputShape(),
              manifest.outputs(),
              manifest.labels(),
              manifest.inputScaler(),
              manifest.targetScaler(),
              manifest.dataType(),
              parameters,
              manifest.metrics())
          .withFeatures(manifest.features())
          .withPreprocessing(manifest.preprocessing());
    } catch (RuntimeException e) {
      throw new ModelFormatException("the model cannot be built: " + e.getMessage(), e);
    }
  }

  private static ModelManifest readManifest(ModelInput input, Limits limits) throws IOException {
    ModelManifest manifest = readHead(input, limits);
    for (TensorEntry entry : manifest.tensors()) {
      input.skip(entry.length(), "tensor '" + entry.name() + "'");
    }
    readTrailer(input);
    return manifest;
  }

  /** Reads and checks everything up to the tensor data. */
  private static ModelManifest readHead(ModelInput input, Limits limits) throws IOException {
    byte[] magic = input.readUpTo(MAGIC.length);
    if (!Arrays.equals(magic, MAGIC)) {
      if (magic.length == 0) {
        throw new ModelFormatException("not a maas model file: it is empty");
      }
      if (magic.length < MAGIC.length && Arrays.equals(magic, Arrays.copyOf(MAGIC, magic.length))) {
        throw new ModelFormatException(
            "truncated: expected " + MAGIC.length + " bytes of magic, got " + magic.length);
      }
      throw new ModelFormatException(
          "not a maas model file: it starts with "
              + HexFormat.ofDelimiter(" ").formatHex(magic)
              + ", not \"MAASMODL\"");
    }
    long version = input.readUint32("format version");
    if (version > FORMAT_VERSION) {
      throw new ModelFormatException(
          "format version "
              + version
              + " is newer than this reader, which reads up to version "
              + FORMAT_VERSION
              + ": upgrade maas to read this model");
    }
    if (version < 1) {
      throw new ModelFormatException("format version 0 does not exist");
    }
    long length = input.readUint32("manifest length");
    if (length > limits.maxManifestBytes()) {
      throw new ModelFormatException(
          "manifest of "
              + length
              + " bytes is over the limit of "
              + limits.maxManifestBytes()
              + " bytes");
    }
    byte[] json = input.readBytes((int) length, "manifest");
    long computed = input.checksum();
    long stored = input.readUint32("manifest checksum");
    if (stored != computed) {
      throw mismatch("manifest checksum", stored, computed);
    }
    ModelManifest manifest = ManifestJson.read(json, limits);
    if (manifest.formatVersion() != version) {
      throw new ModelFormatException(
          "manifest formatVersion "
              + manifest.formatVersion()
              + " differs from the header's version "
              + version);
    }
    return manifest;
  }

  private static void readTrailer(ModelInput input) throws IOException {
    long computed = input.checksum();
    long stored = input.readUint32("file checksum");
    if (stored != computed) {
      throw mismatch("file checksum", stored, computed);
    }
    if (!input.atEnd()) {
      throw new ModelFormatException(
          "unexpected data after the file checksum at byte " + input.position());
    }
  }

  private static ModelFormatException mismatch(String what, long stored, long computed) {
    return new ModelFormatException(
        String.format(
            "checksum mismatch: the %s is %08x but the bytes give %08x; the file is corrupt",
            what, stored, computed));
  }

  private static double[] decode(List<byte[]> chunks, TensorEntry entry) {
    double[] out = new double[Math.toIntExact(entry.elements())];
    int at = 0;
    for (byte[] chunk : chunks) {
      ByteBuffer bytes = ByteBuffer.wrap(chunk).order(ByteOrder.LITTLE_ENDIAN);
      if (entry.dtype() == DataType.FLOAT) {
        FloatBuffer floats = bytes.asFloatBuffer();
        while (floats.hasRemaining()) {
          out[at++] = floats.get();
        }
      } else {
        DoubleBuffer doubles = bytes.asDoubleBuffer();
        int n = doubles.remaining();
        doubles.get(out, at, n);
        at += n;
      }
    }
    return out;
  }

  /** Writes the native parameter values as they are: float32 or float64, little-endian. */
  private static void writeParameters(INDArray parameters, OutputStream out, CRC32C crc)
      throws IOException {
    int n = Math.toIntExact(parameters.length());
    int offset = Math.toIntExact(parameters.offset());
    boolean isFloat = parameters.dataType() == DataType.FLOAT;
    int width = isFloat ? 4 : 8;
    byte[] chunk = new byte[(int) Math.min(ModelInput.CHUNK, (long) n * width)];
    ByteBuffer bytes = ByteBuffer.wrap(chunk).order(ByteOrder.LITTLE_ENDIAN);
    FloatBuffer floats = isFloat ? parameters.data().asNioFloat() : null;
    DoubleBuffer doubles = isFloat ? null : parameters.data().asNioDouble();
    for (int done = 0; done < n; ) {
      int count = Math.min(chunk.length / width, n - done);
      bytes.clear();
      for (int i = 0; i < count; i++) {
        int at = offset + done + i;
        if (isFloat) {
          bytes.putFloat(floats.get(at));
        } else {
          bytes.putDouble(doubles.get(at));
        }
      }
      out.write(chunk, 0, count * width);
      crc.update(chunk, 0, count * width);
      done += count;
    }
  }
}
