package dev.maas.capacity;

import jakarta.validation.constraints.Min;
import org.springframework.boot.context.properties.ConfigurationProperties;
import org.springframework.boot.context.properties.bind.DefaultValue;
import org.springframework.validation.annotation.Validated;

/**
 * {@code maas.capacity.*}: how the capacity report sizes a replica.
 *
 * @param replicaCpus CPU cores one serving replica has, for throughput and replica counts (0: this
 *     JVM's {@code Runtime.availableProcessors()})
 * @param benchmark whether a short ND4J matrix-product benchmark runs in the background at start,
 *     giving the FLOP rate training forecasts fall back on without history
 */
@ConfigurationProperties("maas.capacity")
@Validated
public record CapacityProperties(
    @DefaultValue("0") @Min(0) int replicaCpus, @DefaultValue("true") boolean benchmark) {

  /** The cores of one replica: {@link #replicaCpus}, or this JVM's when that is 0. */
  public int cores() {
    return replicaCpus > 0 ? replicaCpus : Runtime.getRuntime().availableProcessors();
  }
}
