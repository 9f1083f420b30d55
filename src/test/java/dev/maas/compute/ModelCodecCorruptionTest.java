package dev.maas.compute;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.ByteArrayInputStream;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Random;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/** Damaged and foreign bytes: each read fails with a ModelFormatException, never anything else. */
class ModelCodecCorruptionTest {
  private static byte[] small;
  private static byte[] mlp;

  @BeforeAll
  static void write() {
    try (TrainedModel a = CodecCases.named("logistic regression on three").train();
        TrainedModel b = CodecCases.named("mlp classification").train()) {
      small = ModelCodec.toBytes(a);
      mlp = ModelCodec.toBytes(b);
    }
  }

  @AfterAll
  static void release() {
    small = null;
    mlp = null;
  }

  @Test
  void flippingAnyByteOfASmallFileIsDetected() {
    Random random = new Random(1);
    List<String> undetected = new ArrayList<>();
    for (int at = 0; at < small.length; at++) {
      byte[] damaged = small.clone();
      damaged[at] ^= (byte) (1 + random.nextInt(255));
      String outcome = outcome(damaged);
      if (outcome != null) {
        undetected.add("byte " + at + ": " + outcome);
      }
    }
    assertThat(undetected).isEmpty();
  }

  @Test
  void flippingOneBitAnywhereInTheManifestOrTheTensorsIsDetected() {
    List<String> undetected = new ArrayList<>();
    // Every 7th byte, a different bit each time: all regions, every bit position.
    for (int at = 0; at < mlp.length; at += 7) {
      byte[] damaged = mlp.clone();
      damaged[at] ^= (byte) (1 << (at % 8));
      String outcome = outcome(damaged);
      if (outcome != null) {
        undetected.add("byte " + at + ": " + outcome);
      }
    }
    assertThat(undetected).isEmpty();
  }

  @Test
  void aFlipInTheManifestIsReportedAsAChecksumMismatch() {
    byte[] damaged = mlp.clone();
    damaged[40] ^= 1;
    assertThatThrownBy(() -> ModelCodec.read(damaged))
        .isInstanceOf(ModelFormatException.class)
        .hasMessageContaining("checksum mismatch")
        .hasMessageContaining("manifest checksum");
  }

  @Test
  void aFlipInTheTensorsIsReportedAsAChecksumMismatch() {
    byte[] damaged = mlp.clone();
    damaged[ModelFiles.tensorStart(mlp) + 10] ^= 1;
    assertThatThrownBy(() -> ModelCodec.read(damaged))
        .isInstanceOf(ModelFormatException.class)
        .hasMessageContaining("checksum mismatch")
        .hasMessageContaining("file checksum");
    assertThatThrownBy(() -> ModelCodec.readManifest(damaged))
        .isInstanceOf(ModelFormatException.class)
        .hasMessageContaining("checksum mismatch");
  }

  @Test
  void everyTruncationIsDetected() {
    List<String> undetected = new ArrayList<>();
    for (int length = 0; length < small.length; length++) {
      String outcome = outcome(Arrays.copyOf(small, length));
      if (outcome != null) {
        undetected.add("length " + length + ": " + outcome);
      }
    }
    assertThat(undetected).isEmpty();
  }

  @Test
  void aTruncatedStreamNamesWhatIsMissing() {
    int cut = ModelFiles.tensorStart(mlp) + 100;
    var in = new ByteArrayInputStream(Arrays.copyOf(mlp, cut));
    assertThatThrownBy(() -> ModelCodec.read(in))
        .isInstanceOf(ModelFormatException.class)
        .hasMessage("truncated: expected 460 bytes of tensor 'parameters', got 100");
    assertThatThrownBy(() -> ModelCodec.read(Arrays.copyOf(mlp, cut)))
        .isInstanceOf(ModelFormatException.class)
        .hasMessage("truncated: expected 460 bytes of tensor 'parameters', got 100");
  }

  @Test
  void bytesAfterTheChecksumAreRejected() {
    byte[] longer = Arrays.copyOf(small, small.length + 1);
    assertThatThrownBy(() -> ModelCodec.read(longer))
        .isInstanceOf(ModelFormatException.class)
        .hasMessageContaining("unexpected data after the file checksum");
    assertThatThrownBy(() -> ModelCodec.read(new ByteArrayInputStream(longer)))
        .isInstanceOf(ModelFormatException.class)
        .hasMessageContaining("unexpected data after the file checksum");
  }

  @Test
  void anEmptyStreamIsNotAModelFile() {
    assertThatThrownBy(() -> ModelCodec.read(new ByteArrayInputStream(new byte[0])))
        .isInstanceOf(ModelFormatException.class)
        .hasMessage("not a maas model file: it is empty");
  }

  @Test
  void aPngIsNotAModelFile() {
    byte[] png = {(byte) 0x89, 'P', 'N', 'G', 0x0D, 0x0A, 0x1A, 0x0A, 0, 0, 0, 0x0D, 'I', 'H'};
    assertThatThrownBy(() -> ModelCodec.read(png))
        .isInstanceOf(ModelFormatException.class)
        .hasMessageStartingWith("not a maas model file: it starts with 89 50 4e 47");
  }

  @Test
  void otherForeignBytesAreNotModelFiles() {
    Random random = new Random(3);
    List<byte[]> foreign = new ArrayList<>();
    foreign.add("PK\3\4 a zip".getBytes(StandardCharsets.ISO_8859_1));
    foreign.add("{\"formatVersion\":1}".getBytes(StandardCharsets.UTF_8));
    foreign.add(new byte[] {(byte) 0xAC, (byte) 0xED, 0, 5}); // Java serialization
    for (int length : new int[] {1, 7, 8, 100, 5000}) {
      byte[] noise = new byte[length];
      random.nextBytes(noise);
      foreign.add(noise);
    }
    for (byte[] bytes : foreign) {
      assertThatThrownBy(() -> ModelCodec.read(bytes))
          .isExactlyInstanceOf(ModelFormatException.class)
          .hasMessageStartingWith("not a maas model file");
    }
  }

  @Test
  void randomBytesAfterAValidMagicAreRejected() {
    Random random = new Random(5);
    for (int i = 0; i < 200; i++) {
      byte[] noise = new byte[8 + random.nextInt(3000)];
      random.nextBytes(noise);
      System.arraycopy("MAASMODL".getBytes(StandardCharsets.US_ASCII), 0, noise, 0, 8);
      noise[8] = 1;
      noise[9] = noise[10] = noise[11] = 0; // version 1, so the manifest is reached
      assertThat(outcome(noise)).isNull();
    }
  }

  /**
   * Null when reading {@code bytes} (from memory and as a stream) fails with a
   * ModelFormatException; otherwise what happened instead.
   */
  private static String outcome(byte[] bytes) {
    String fromMemory = failure(() -> ModelCodec.read(bytes).close());
    String fromStream = failure(() -> ModelCodec.read(new ByteArrayInputStream(bytes)).close());
    String manifest = failure(() -> ModelCodec.readManifest(bytes));
    return fromMemory != null ? fromMemory : fromStream != null ? fromStream : manifest;
  }

  private interface Read {
    void run() throws Exception;
  }

  private static String failure(Read read) {
    try {
      read.run();
      return "read without error";
    } catch (ModelFormatException e) {
      return e.getClass() == ModelFormatException.class ? null : e.toString();
    } catch (Exception | Error e) {
      return e.toString();
    }
  }
}
