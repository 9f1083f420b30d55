package dev.maas;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.nd4j.linalg.factory.Nd4j;
import org.nd4j.nativeblas.NativeOpsHolder;

/** {@code maas.compute.threads} reaches ND4J's pools: read back from ND4J itself. */
class ComputeThreadsTest {

  @AfterEach
  void restoreTheDefault() {
    ComputeThreads.apply(new ComputeProperties(0));
  }

  @Test
  void anExplicitFigureIsSetOnTheOpenMpAndBlasPoolsWhateverTheEnvironmentSays() {
    ComputeThreads set = ComputeThreads.apply(new ComputeProperties(2));

    assertThat(set.threads()).isEqualTo(2);
    // libnd4j's own pool only shrinks from what it was sized to as it loaded (the build sets
    // OMP_NUM_THREADS=1 for tests), so it is read back, not asked for.
    assertThat(Nd4j.getEnvironment().maxThreads()).as("libnd4j's per-op threads").isBetween(1, 2);
    assertThat(NativeOpsHolder.getInstance().getDeviceNativeOps().ompGetMaxThreads())
        .as("OpenMP")
        .isEqualTo(2);
    assertThat(Nd4j.factory().blas().getMaxThreads()).as("BLAS").isEqualTo(2);
  }

  @Test
  void theDefaultIsOneThreadACallOnAnyNumberOfCores() {
    assertThat(new ComputeProperties(0).threadsFor(1)).isEqualTo(1);
    assertThat(new ComputeProperties(0).threadsFor(64)).isEqualTo(1);
    assertThat(new ComputeProperties(2).threadsFor(64)).isEqualTo(2);

    ComputeThreads.apply(new ComputeProperties(2));
    ComputeThreads set = ComputeThreads.apply(new ComputeProperties(0));

    assertThat(set.threads()).isEqualTo(1);
    assertThat(Nd4j.getEnvironment().maxThreads()).isEqualTo(1);
    assertThat(Nd4j.getEnvironment().maxMasterThreads()).isEqualTo(1);
    assertThat(NativeOpsHolder.getInstance().getDeviceNativeOps().ompGetMaxThreads()).isEqualTo(1);
    assertThat(Nd4j.factory().blas().getMaxThreads()).isEqualTo(1);
  }
}
