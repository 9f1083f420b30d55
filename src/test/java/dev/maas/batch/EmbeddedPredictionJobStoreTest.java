package dev.maas.batch;

import java.nio.file.Path;
import org.junit.jupiter.api.io.TempDir;

/** The prediction job store contract against the embedded store (files). */
class EmbeddedPredictionJobStoreTest extends PredictionJobStoreContract {
  @TempDir Path storage;

  @Override
  PredictionJobStore open() {
    return new FilePredictionJobStore(storage);
  }
}
