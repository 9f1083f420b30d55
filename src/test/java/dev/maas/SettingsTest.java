package dev.maas;

import static org.assertj.core.api.Assertions.assertThat;

import dev.maas.capacity.CapacityProperties;
import dev.maas.capacity.CostProperties;
import dev.maas.dataset.DatasetProperties;
import dev.maas.grpc.GrpcProperties;
import dev.maas.registry.RegistryProperties;
import dev.maas.serving.ServingProperties;
import dev.maas.storage.StorageProperties;
import dev.maas.storage.StoreProperties;
import dev.maas.training.TrainingProperties;
import dev.maas.web.security.SecurityProperties;
import java.nio.file.Path;
import java.time.Duration;
import org.junit.jupiter.api.Test;
import org.springframework.boot.context.properties.EnableConfigurationProperties;
import org.springframework.boot.test.context.runner.ApplicationContextRunner;
import org.springframework.context.annotation.Configuration;
import org.springframework.util.unit.DataSize;

/** The settings bind with their defaults, and a value out of bounds stops start-up naming it. */
class SettingsTest {
  @Configuration(proxyBeanMethods = false)
  @EnableConfigurationProperties({
    StorageProperties.class,
    StoreProperties.class,
    RegistryProperties.class,
    DatasetProperties.class,
    TrainingProperties.class,
    SecurityProperties.class,
    ServingProperties.class,
    CostProperties.class,
    CapacityProperties.class,
    GrpcProperties.class
  })
  static class Settings {}

  private final ApplicationContextRunner runner =
      new ApplicationContextRunner().withUserConfiguration(Settings.class);

  @Test
  void withNothingSetEverySettingHasItsDefault() {
    runner.run(
        context -> {
          assertThat(context).hasNotFailed();
          assertThat(context.getBean(StorageProperties.class).path()).isEqualTo(Path.of("data"));
          assertThat(context.getBean(StoreProperties.class).type())
              .isEqualTo(StoreProperties.Type.EMBEDDED);
          TrainingProperties training = context.getBean(TrainingProperties.class);
          assertThat(training.workers()).isEqualTo(1);
          assertThat(training.wallClockLimit()).isEqualTo(Duration.ZERO);
          ServingProperties serving = context.getBean(ServingProperties.class);
          assertThat(serving.maxRequestSize()).isEqualTo(DataSize.ofMegabytes(16));
          assertThat(serving.unloadAfter()).isEqualTo(Duration.ofSeconds(60));
          SecurityProperties security = context.getBean(SecurityProperties.class);
          assertThat(security.enabled()).isTrue();
          assertThat(security.keys()).isEmpty();
          assertThat(security.burst()).isEqualTo(400);
          assertThat(context.getBean(CostProperties.class).currency()).isEqualTo("USD");
          assertThat(context.getBean(CapacityProperties.class).benchmark()).isTrue();
          assertThat(context.getBean(GrpcProperties.class).port()).isEqualTo(8081);
        });
  }

  @Test
  void aBurstFollowsTheRateUnlessSet() {
    runner
        .withPropertyValues("maas.security.requests-per-second=10")
        .run(
            context -> assertThat(context.getBean(SecurityProperties.class).burst()).isEqualTo(20));
  }

  @Test
  void aValueOutOfBoundsStopsStartUpNamingTheProperty() {
    String[][] bad = {
      {"maas.training.workers=0", "workers"},
      {"maas.serving.max-instances=0", "maxInstances"},
      {"maas.datasets.max-rows=-1", "maxRows"},
      {"maas.cost.cpu-core-hour=-0.5", "cpuCoreHour"},
      {"maas.capacity.replica-cpus=-2", "replicaCpus"},
      {"maas.security.requests-per-second=-1", "requestsPerSecond"},
      {"maas.training.wall-clock-limit=-5s", "maas.training.wall-clock-limit"},
      {"maas.serving.max-batch-wait=-1ms", "maas.serving.max-batch-wait"},
      {"maas.store.type=shared", "maas.store.s3.bucket"},
      {"maas.store.s3.part-size=1MB", "maas.store.s3.part-size"},
      {"maas.store.job-lease=10ms", "maas.store.job-lease"},
    };
    for (String[] setting : bad) {
      runner
          .withPropertyValues(setting[0])
          .run(
              context -> {
                assertThat(context).as(setting[0]).hasFailed();
                StringBuilder messages = new StringBuilder();
                for (Throwable t = context.getStartupFailure(); t != null; t = t.getCause()) {
                  messages.append(t.getMessage()).append('\n');
                }
                assertThat(messages.toString()).as(setting[0]).contains(setting[1]);
              });
    }
  }
}
