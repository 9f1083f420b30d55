package dev.maas.compute;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.maas.compute.ModelFiles.Parts;
import java.io.ByteArrayInputStream;
import java.time.Duration;
import java.util.concurrent.atomic.AtomicInteger;
import org.assertj.core.api.AbstractThrowableAssert;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import tools.jackson.databind.node.ArrayNode;
import tools.jackson.databind.node.ObjectNode;

/**
 * Files with valid checksums whose header or manifest breaks a rule: each is refused with a message
 * naming the rule, before anything the manifest sizes is allocated.
 */
class ModelCodecManifestTest {
  /** Heap a refused read may allocate: the manifest, a few chunks and the JSON tree. */
  private static final long SMALL_ALLOCATION = 32L << 20;

  private static Parts iris;
  private static Parts linear;

  @BeforeAll
  static void write() {
    try (TrainedModel a = CodecCases.named("mlp classification").train();
        TrainedModel b = CodecCases.named("linear least squares").train()) {
      iris = ModelFiles.split(ModelCodec.toBytes(a));
      linear = ModelFiles.split(ModelCodec.toBytes(b));
    }
  }

  @Test
  void theTestHelperReassemblesAnUntouchedFileExactly() throws Exception {
    byte[] file = iris.bytes();
    try (TrainedModel model = ModelCodec.read(file)) {
      assertThat(ModelCodec.toBytes(model)).isEqualTo(file);
    }
  }

  @Test
  void aNewerFormatVersionAsksForANewerReader() {
    refused(iris.withVersion(3))
        .hasMessage(
            "format version 3 is newer than this reader, which reads up to version 2:"
                + " upgrade maas to read this model");
  }

  @Test
  void aFileOfFormatVersion1WrittenBeforePreprocessingExistedLoadsAndPredictsTheSame()
      throws Exception {
    byte[] v1 = iris.withVersion(1).edit(m -> m.put("formatVersion", 1)).bytes();
    try (TrainedModel now = ModelCodec.read(iris.bytes());
        TrainedModel old = ModelCodec.read(v1)) {
      assertThat(old.preprocessing()).isNull();
      double[] rows = {5.1, 3.5, 1.4, 0.2, 6.3, 3.3, 6.0, 2.5};
      for (int r = 0; r < 2; r++) {
        assertThat(old.predict(rows, 2).values(r)).isEqualTo(now.predict(rows, 2).values(r));
      }
    }
  }

  @Test
  void versionZeroDoesNotExist() {
    refused(iris.withVersion(0)).hasMessageContaining("format version 0");
  }

  @Test
  void theManifestMustRepeatTheHeadersVersion() {
    refused(iris.edit(m -> m.put("formatVersion", 7)))
        .hasMessage("manifest formatVersion 7 differs from the header's version 2");
  }

  @Test
  void anUnknownFamilyIsRefused() {
    refused(iris.edit(m -> m.put("family", "transformer")))
        .hasMessage("manifest field 'family' names no known family: 'transformer'");
  }

  @Test
  void anUnknownTopLevelFieldIsRefused() {
    refused(iris.edit(m -> m.put("comment", "hello")))
        .hasMessageStartingWith("manifest has an unknown field 'comment'");
  }

  @Test
  void anUnknownSpecFieldIsRefused() {
    refused(iris.edit(m -> spec(m).put("optimizer", "adam")))
        .hasMessageContaining("manifest field 'spec.optimizer' is not a valid mlp spec")
        .hasMessageContaining("\"optimizer\"");
  }

  @Test
  void aMissingFieldIsRefused() {
    refused(iris.edit(m -> m.remove("metrics")))
        .hasMessage("manifest is missing the field 'metrics'");
  }

  @Test
  void classNamesAnywhereInstantiateNothing() {
    String canary = Canary.class.getName();
    Parts[] attempts = {
      iris.edit(m -> m.put("family", canary)),
      iris.edit(m -> m.put("@class", canary)),
      iris.edit(m -> spec(m).put("@class", canary)),
      iris.edit(m -> spec(m).put("@type", canary)),
      iris.edit(m -> ((ObjectNode) spec(m).get("hiddenLayers").get(0)).put("@class", canary)),
      iris.edit(m -> m.putArray("spec").add(canary).addObject()),
      iris.edit(m -> ((ObjectNode) m.get("metrics")).put("@class", canary)),
      iris.edit(m -> ((ObjectNode) m.get("inputScaler")).put("@class", canary)),
      iris.edit(m -> m.putArray("inputShape").add(canary)),
    };
    for (Parts attempt : attempts) {
      refused(attempt);
    }
    assertThat(Canary.created).hasValue(0);
  }

  @Test
  void aClassNameAsALabelIsJustALabel() throws Exception {
    String canary = Canary.class.getName();
    Parts renamed =
        iris.edit(
            m -> {
              ((ArrayNode) m.get("labels")).set(0, canary);
              ((ArrayNode) m.get("metrics").get("labels")).set(0, canary);
            });
    try (TrainedModel model = ModelCodec.read(renamed.bytes())) {
      assertThat(model.labels()).startsWith(canary);
    }
    assertThat(Canary.created).hasValue(0);
  }

  @Test
  void duplicateKeysAreRefused() {
    String json = new String(iris.manifest(), java.nio.charset.StandardCharsets.UTF_8);
    refused(iris.withManifest(json.replace("{\"formatVersion\":2,", "{\"task\":\"x\",")))
        .hasMessageContaining("Duplicate");
  }

  @Test
  void aManifestThatIsNotUtf8IsRefused() {
    byte[] manifest = iris.manifest().clone();
    manifest[manifest.length - 3] = (byte) 0xC3; // a lead byte without its continuation
    refused(new Parts(1, manifest, iris.tensors())).hasMessage("manifest is not valid UTF-8");
  }

  @Test
  void aManifestThatIsNotAnObjectIsRefused() {
    refused(iris.withManifest("[1, 2]")).hasMessage("manifest must be a JSON object");
    refused(iris.withManifest("")).hasMessage("manifest is empty");
    refused(iris.withManifest("{} []")).hasMessageContaining("not valid JSON");
  }

  @Test
  void integersMustBeIntegers() {
    refused(iris.edit(m -> m.put("outputs", 3.0)))
        .hasMessage("manifest field 'outputs' must be a 32-bit integer, was the number 3.0");
    refused(iris.edit(m -> m.put("outputs", "3")))
        .hasMessage("manifest field 'outputs' must be a 32-bit integer, was a string");
    refused(iris.edit(m -> ((ObjectNode) spec(m).get("hiddenLayers").get(0)).put("units", "8")))
        .hasMessageContaining("spec.hiddenLayers[0].units");
  }

  @Test
  void anInvalidSpecIsRefused() {
    refused(iris.edit(m -> ((ObjectNode) spec(m).get("hiddenLayers").get(0)).put("units", 0)))
        .hasMessageStartingWith("manifest holds an invalid spec: spec.hiddenLayers[0].units");
    refused(iris.edit(m -> ((ObjectNode) spec(m).get("hiddenLayers").get(0)).put("dropout", 1.5)))
        .hasMessageContaining("dropout");
    refused(linear.edit(m -> m.put("task", "classification"))).hasMessageContaining("labels");
  }

  @Test
  void scalersMustBeFiniteAndPositive() {
    refused(iris.edit(m -> scaler(m, "mean").set(1, "NaN")))
        .hasMessage("manifest field 'inputScaler.mean[1]' must be a finite number, was a string");
    refused(iris.withManifest(text(iris).replaceFirst("\"mean\":\\[[-0-9.E]+", "\"mean\":[1e999")))
        .hasMessageStartingWith("manifest field 'inputScaler.mean[0]' must be a finite number");
    refused(iris.edit(m -> scaler(m, "scale").set(2, 0.0)))
        .hasMessage("manifest field 'inputScaler.scale[2]' must be positive, was 0.0");
    refused(iris.edit(m -> scaler(m, "scale").remove(3)))
        .hasMessageContaining("needs 4 means and scales for shape [4], has 4 and 3");
  }

  @Test
  void labelsMustFitTheTask() {
    refused(iris.edit(m -> ((ArrayNode) m.get("labels")).set(1, "setosa")))
        .hasMessage("manifest field 'labels' must be distinct");
    refused(linear.edit(m -> m.putArray("labels").add("a").add("b")))
        .hasMessage("manifest field 'labels' must be null for regression");
    refused(iris.edit(m -> m.set("targetScaler", m.get("inputScaler"))))
        .hasMessage("manifest field 'targetScaler' must be null for classification");
    refused(iris.edit(m -> m.put("outputs", 4))).hasMessageContaining("must name the 4 classes");
  }

  @Test
  void metricsMustBeOfTheTasksKind() {
    refused(iris.edit(m -> m.set("metrics", linear.manifestJson().get("metrics"))))
        .hasMessageStartingWith("manifest has an unknown field 'metrics.r2'");
    refused(iris.edit(m -> ((ArrayNode) m.get("metrics").get("confusionMatrix").get(0)).add(1)))
        .hasMessage("manifest field 'metrics.confusionMatrix[0]' must have 3 counts, has 4");
  }

  @Test
  void aHugeTensorFailsFastWithoutAllocating() {
    long huge = 1L << 40;
    Parts claim = iris.edit(m -> parameters(m, huge, huge * 4));
    assertFastAndSmall(claim)
        .hasMessage(
            "tensor 'parameters' of 4398046511104 bytes takes the tensor data over the limit of"
                + " 2147483648 bytes");
  }

  @Test
  void aShapeThatDisagreesWithTheLengthIsRefused() {
    assertFastAndSmall(iris.edit(m -> parameters(m, 1L << 40, 460)))
        .hasMessage(
            "tensor 'parameters': shape [1099511627776] of float32 needs 4398046511104 bytes"
                + " but the table says 460");
    assertFastAndSmall(iris.edit(m -> ((ArrayNode) tensor(m).get("shape")).add(1L << 62)))
        .hasMessageContaining("overflows 64 bits");
  }

  @Test
  void aHugeNetworkWithFewParametersFailsBeforeTheNetworkIsBuilt() {
    Parts claim =
        iris.edit(
            m -> {
              ArrayNode layers = spec(m).putArray("hiddenLayers");
              for (int i = 0; i < 40; i++) {
                layers
                    .addObject()
                    .put("units", 65536)
                    .put("activation", "relu")
                    .put("dropout", 0.0);
              }
            });
    assertFastAndSmall(claim)
        .hasMessage("the mlp spec needs 167506804739 parameters, the file has 115");
  }

  @Test
  void aLargeTensorClaimWithoutTheBytesFailsAsTruncatedWithoutAllocatingIt() {
    // Within the 2 GiB limit: 100,090,003 float parameters, 400 MB, of which none are sent.
    Parts claim =
        iris.edit(
                m -> {
                  ArrayNode layers = spec(m).putArray("hiddenLayers");
                  for (int i = 0; i < 2; i++) {
                    layers
                        .addObject()
                        .put("units", 10000)
                        .put("activation", "relu")
                        .put("dropout", 0);
                  }
                  parameters(m, 100_090_003, 400_360_012);
                })
            .withTensors(new byte[0]);
    String message = "truncated: expected 400360012 bytes of tensor 'parameters', got ";
    assertFastAndSmall(() -> ModelCodec.read(claim.bytes())).hasMessage(message + "4");
    assertFastAndSmall(() -> ModelCodec.read(new ByteArrayInputStream(claim.bytes())))
        .hasMessage(message + "4");
  }

  @Test
  void theLimitsAreConfigurable() {
    byte[] file = iris.bytes();
    assertThatThrownBy(() -> read(file, new ModelCodec.Limits(100, 1 << 20)))
        .isInstanceOf(ModelFormatException.class)
        .hasMessageMatching("manifest of \\d+ bytes is over the limit of 100 bytes");
    assertThatThrownBy(() -> read(file, new ModelCodec.Limits(1 << 20, 459)))
        .isInstanceOf(ModelFormatException.class)
        .hasMessageContaining("over the limit of 459 bytes");
  }

  @Test
  void aManifestLengthOverTheLimitFailsBeforeItIsRead() {
    byte[] header = ModelFiles.concat(iris.bytes());
    java.nio.ByteBuffer.wrap(header)
        .order(java.nio.ByteOrder.LITTLE_ENDIAN)
        .putInt(12, Integer.MAX_VALUE);
    assertFastAndSmall(() -> ModelCodec.read(new ByteArrayInputStream(header)))
        .hasMessage("manifest of 2147483647 bytes is over the limit of 16777216 bytes");
  }

  @Test
  void theTensorTableAdmitsOnlyTheParametersOnceFromOffsetZero() {
    refused(iris.edit(m -> tensor(m).put("name", "weights")))
        .hasMessageContaining("must be one of [parameters] once, was 'weights'");
    refused(iris.edit(m -> ((ArrayNode) m.get("tensors")).add(tensor(m).deepCopy())))
        .hasMessageContaining("once, was 'parameters'");
    refused(iris.edit(m -> m.putArray("tensors")))
        .hasMessage("manifest has no tensor 'parameters'");
    refused(iris.edit(m -> tensor(m).put("offset", 4)))
        .hasMessageContaining("must be 0 (tensors lie back to back)");
  }

  @Test
  void theParametersMustHaveTheModelsDataType() {
    refused(iris.edit(m -> tensor(m).put("dtype", "float64").put("length", 920)))
        .hasMessage(
            "tensor 'parameters' must be a vector of the model's float32, was float64[115]");
    refused(iris.edit(m -> m.put("dataType", "int8")))
        .hasMessage("manifest field 'dataType' must be float32 or float64, was 'int8'");
  }

  private static AbstractThrowableAssert<?, ? extends Throwable> refused(Parts parts) {
    byte[] file = parts.bytes();
    assertThatThrownBy(() -> ModelCodec.readManifest(file))
        .isExactlyInstanceOf(ModelFormatException.class);
    return assertThatThrownBy(() -> ModelCodec.read(file))
        .isExactlyInstanceOf(ModelFormatException.class);
  }

  private interface Read {
    void run() throws Exception;
  }

  private static AbstractThrowableAssert<?, ? extends Throwable> assertFastAndSmall(Parts parts) {
    return assertFastAndSmall(() -> ModelCodec.read(parts.bytes()));
  }

  /** Runs a read that must fail within a second having allocated little. */
  private static AbstractThrowableAssert<?, ? extends Throwable> assertFastAndSmall(Read read) {
    long start = System.nanoTime();
    long before = ModelFiles.allocatedBytes();
    Throwable failure = null;
    try {
      read.run();
    } catch (Throwable t) {
      failure = t;
    }
    long allocated = ModelFiles.allocatedBytes() - before;
    assertThat(Duration.ofNanos(System.nanoTime() - start)).isLessThan(Duration.ofSeconds(1));
    assertThat(allocated).isLessThan(SMALL_ALLOCATION);
    return assertThat(failure).isExactlyInstanceOf(ModelFormatException.class);
  }

  private static TrainedModel read(byte[] file, ModelCodec.Limits limits) throws Exception {
    return ModelCodec.read(new ByteArrayInputStream(file), limits);
  }

  private static ObjectNode spec(ObjectNode manifest) {
    return (ObjectNode) manifest.get("spec");
  }

  private static ArrayNode scaler(ObjectNode manifest, String field) {
    return (ArrayNode) manifest.get("inputScaler").get(field);
  }

  private static ObjectNode tensor(ObjectNode manifest) {
    return (ObjectNode) manifest.get("tensors").get(0);
  }

  private static void parameters(ObjectNode manifest, long count, long length) {
    ObjectNode t = tensor(manifest);
    t.putArray("shape").add(count);
    t.put("length", length);
  }

  private static String text(Parts parts) {
    return new String(parts.manifest(), java.nio.charset.StandardCharsets.UTF_8);
  }

  /** Counts its instances: a file that could make the reader build one would show here. */
  public static final class Canary {
    static final AtomicInteger created = new AtomicInteger();

    public Canary() {
      created.incrementAndGet();
    }
  }
}
