package dev.maas.compute;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.maas.compute.ModelFiles.Parts;
import java.util.Map;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import tools.jackson.databind.node.ObjectNode;

/** The manifest's optional provenance block: written, read back, absent in older files. */
class ModelProvenanceTest {
  private static final ModelProvenance FULL =
      new ModelProvenance(
          "job-1",
          "ds-1",
          "ab".repeat(32),
          "testFraction=0.2",
          42L,
          (ObjectNode) SpecJson.MAPPER.readTree("{\"epochs\": 5, \"seed\": 42}"),
          Map.of("maas", "0.1.0", "nd4j", "1.0.0-M2.1", "jvm", "Temurin 17"));

  private static TrainedModel model;

  @BeforeAll
  static void train() {
    model = CodecCases.named("linear least squares").train();
  }

  @AfterAll
  static void close() {
    model.close();
  }

  @Test
  void aFileKeepsItsProvenanceAndTheModelReadsTheSame() throws Exception {
    byte[] file = ModelCodec.toBytes(model, FULL);
    ModelManifest manifest = ModelCodec.readManifest(file);
    assertThat(manifest.provenance()).isEqualTo(FULL);
    assertThat(manifest.provenance().software().keySet()).containsExactly("jvm", "maas", "nd4j");
    try (TrainedModel read = ModelCodec.read(file)) {
      assertThat(ModelCodec.toBytes(read)).isEqualTo(ModelCodec.toBytes(model));
    }
    assertThat(ModelCodec.toBytes(model, FULL)).as("the same bytes every time").isEqualTo(file);
  }

  @Test
  void aFileWithoutProvenanceStillLoadsAndSaysNothing() throws Exception {
    byte[] file = ModelCodec.toBytes(model);
    assertThat(new String(ModelFiles.split(file).manifest(), "UTF-8")).doesNotContain("provenance");
    assertThat(ModelCodec.readManifest(file).provenance()).isNull();
    try (TrainedModel read = ModelCodec.read(file)) {
      assertThat(read.outputs()).isEqualTo(model.outputs());
    }
  }

  @Test
  void everyFieldIsOptional() throws Exception {
    ModelProvenance partial = new ModelProvenance("job-2", null, null, null, null, null, null);
    ModelManifest manifest = ModelCodec.readManifest(ModelCodec.toBytes(model, partial));
    assertThat(manifest.provenance()).isEqualTo(partial);
    assertThat(manifest.provenance().software()).isEmpty();
  }

  @Test
  void aMalformedBlockIsRefusedNamingTheField() {
    Parts parts = ModelFiles.split(ModelCodec.toBytes(model, FULL));
    refused(parts.edit(m -> provenance(m).put("seed", "42")), "provenance.seed");
    refused(parts.edit(m -> provenance(m).put("colour", "red")), "provenance.colour");
    refused(parts.edit(m -> provenance(m).put("training", 3)), "provenance.training");
    refused(parts.edit(m -> provenance(m).putObject("software").put("maas", 1)), "software.maas");
    refused(parts.edit(m -> m.put("provenance", "job-1")), "provenance");
  }

  private static ObjectNode provenance(ObjectNode manifest) {
    return (ObjectNode) manifest.get("provenance");
  }

  private static void refused(Parts parts, String field) {
    assertThatThrownBy(() -> ModelCodec.readManifest(parts.bytes()))
        .isExactlyInstanceOf(ModelFormatException.class)
        .hasMessageContaining(field);
  }
}
