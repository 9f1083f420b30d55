package dev.maas.compute;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.ByteArrayInputStream;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.zip.CRC32C;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

class CheckpointCodecTest {
  private static final MlpSpec SPEC =
      new MlpSpec(List.of(new DenseLayerSpec(6, Activation.RELU, 0.2)));
  private static final ReferenceData.Split DATA = CodecCases.classification(new int[] {4});
  private static final TrainingParams PARAMS =
      TrainingParams.defaults()
          .withEpochs(6)
          .withBatchSize(10)
          .withValidation(0.2, new EarlyStopping(3, 0, true));
  private static List<TrainingCheckpoint> checkpoints;
  private static byte[] bytes;

  @BeforeAll
  static void train() {
    checkpoints = new ArrayList<>();
    new Trainer()
        .train(
            SPEC,
            PARAMS,
            DATA.train(),
            null,
            TrainingListener.NONE,
            Cancellation.NEVER,
            Checkpointing.to(checkpoints::add, CheckpointPolicy.everyEpoch()))
        .model()
        .close();
    bytes = CheckpointCodec.toBytes(checkpoints.get(2));
  }

  @Test
  void aCheckpointReadsBackToTheSameBytesAndState() throws Exception {
    TrainingCheckpoint read = CheckpointCodec.read(new ByteArrayInputStream(bytes));
    assertThat(CheckpointCodec.toBytes(read)).isEqualTo(bytes);
    TrainingCheckpoint original = checkpoints.get(2);
    assertThat(read.epoch()).isEqualTo(3);
    assertThat(read.identity()).isEqualTo(original.identity());
    assertThat(read.parameters()).isEqualTo(original.parameters());
    assertThat(read.updaterState()).isEqualTo(original.updaterState()).isNotEmpty();
    assertThat(read.bestParameters()).isEqualTo(original.bestParameters());
    assertThat(read.order()).isEqualTo(original.order());
    assertThat(read.learningCurve()).isEqualTo(original.learningCurve());
    assertThat(read.stopping()).isEqualTo(original.stopping());
    assertThat(read.shuffleState()).isEqualTo(original.shuffleState());
    assertThat(read.dropoutRootState()).isEqualTo(original.dropoutRootState());
    assertThat(read.dropoutNodeState()).isEqualTo(original.dropoutNodeState());
  }

  @Test
  void theManifestIsReadableJson() {
    String manifest = new String(manifest(bytes), StandardCharsets.UTF_8);
    assertThat(manifest)
        .startsWith("{\"formatVersion\":1,\"family\":\"mlp\"")
        .contains("\"epoch\":3", "\"optimizer\":{\"type\":\"adam\"", "\"name\":\"bestParameters\"");
  }

  @Test
  void everyDamagedByteIsDetected() {
    for (int i = 0; i < bytes.length; i++) {
      byte[] damaged = bytes.clone();
      damaged[i] ^= (byte) (1 << (i % 8));
      assertThatThrownBy(() -> CheckpointCodec.read(damaged))
          .as("byte %d", i)
          .isInstanceOf(CheckpointFormatException.class);
    }
    byte[] damaged = bytes.clone();
    damaged[bytes.length - 10] ^= 1;
    assertThatThrownBy(() -> CheckpointCodec.read(damaged))
        .hasMessageStartingWith("checksum mismatch: the file checksum");
  }

  @Test
  void everyTruncationIsDetected() {
    for (int n = 0; n < bytes.length; n++) {
      byte[] truncated = Arrays.copyOf(bytes, n);
      assertThatThrownBy(() -> CheckpointCodec.read(truncated))
          .as("%d bytes", n)
          .isInstanceOf(CheckpointFormatException.class);
    }
    assertThatThrownBy(() -> CheckpointCodec.read(new byte[0])).hasMessageContaining("empty");
  }

  @Test
  void otherFilesAndNewerVersionsAreNamed() throws Exception {
    byte[] model;
    try (TrainedModel m = CodecCases.named("mlp classification").train()) {
      model = ModelCodec.toBytes(m);
    }
    assertThatThrownBy(() -> CheckpointCodec.read(model))
        .hasMessageContaining("not a maas checkpoint")
        .hasMessageContaining("MAASCKPT");
    byte[] newer = bytes.clone();
    ByteBuffer.wrap(newer).order(ByteOrder.LITTLE_ENDIAN).putInt(8, 2);
    assertThatThrownBy(() -> CheckpointCodec.read(newer))
        .hasMessageContaining("version 2 is newer");
  }

  @Test
  void aManifestThatBreaksARuleIsRefusedEvenWithValidChecksums() {
    String json = new String(manifest(bytes), StandardCharsets.UTF_8);
    assertThatThrownBy(
            () -> CheckpointCodec.read(withManifest(json.replace("\"epoch\":3", "\"epoch\":7"))))
        .isInstanceOf(CheckpointFormatException.class)
        .hasMessageContaining("epoch");
    assertThatThrownBy(
            () -> CheckpointCodec.read(withManifest(json.replace("\"epoch\":3", "\"epoch\":2"))))
        .isInstanceOf(CheckpointFormatException.class);
    assertThatThrownBy(
            () -> CheckpointCodec.read(withManifest(json.replace("\"units\":6", "\"units\":7"))))
        .isInstanceOf(CheckpointFormatException.class)
        .hasMessageContaining("parameters");
    assertThatThrownBy(
            () ->
                CheckpointCodec.read(
                    withManifest(
                        json.replace("{\"formatVersion\":1,", "{\"formatVersion\":1,\"x\":1,"))))
        .hasMessageContaining("unknown field 'x'");
  }

  @Test
  void cancellationStopsAResumedRunWithinABatch() {
    AtomicInteger asked = new AtomicInteger();
    assertThatThrownBy(
            () ->
                new Trainer()
                    .train(
                        SPEC,
                        PARAMS,
                        DATA.train(),
                        null,
                        TrainingListener.NONE,
                        () -> asked.incrementAndGet() >= 2,
                        Checkpointing.NONE.resumingFrom(checkpoints.get(2))))
        .isInstanceOf(TrainingCancelledException.class)
        .hasMessageContaining("epoch 4");
    assertThat(asked.get()).isEqualTo(2);
  }

  private static byte[] manifest(byte[] file) {
    int length = ByteBuffer.wrap(file).order(ByteOrder.LITTLE_ENDIAN).getInt(12);
    return Arrays.copyOfRange(file, 16, 16 + length);
  }

  /** The checkpoint with another manifest and both checksums recomputed. */
  private static byte[] withManifest(String json) {
    byte[] manifest = json.getBytes(StandardCharsets.UTF_8);
    int oldLength = manifest(bytes).length;
    byte[] data = Arrays.copyOfRange(bytes, 20 + oldLength, bytes.length - 4);
    ByteBuffer out =
        ByteBuffer.allocate(24 + manifest.length + data.length).order(ByteOrder.LITTLE_ENDIAN);
    out.put(Arrays.copyOf(bytes, 12)).putInt(manifest.length).put(manifest);
    out.putInt(crc(out.array(), out.position()));
    out.put(data);
    out.putInt(crc(out.array(), out.position()));
    return out.array();
  }

  private static int crc(byte[] bytes, int end) {
    CRC32C crc = new CRC32C();
    crc.update(bytes, 0, end);
    return (int) crc.getValue();
  }
}
