package dev.maas;

import jakarta.validation.constraints.Max;
import jakarta.validation.constraints.Min;
import org.springframework.boot.context.properties.ConfigurationProperties;
import org.springframework.boot.context.properties.bind.DefaultValue;
import org.springframework.validation.annotation.Validated;

/**
 * {@code maas.compute.*}: the native engine's threads.
 *
 * @param threads threads one ND4J call may use (its OpenMP pool, its own thread pool and the BLAS
 *     pool), set at start whatever {@code OMP_NUM_THREADS} says; 0 (the default) takes one thread a
 *     call on any number of cores: serving requests, training workers and prediction jobs run their
 *     calls side by side on threads of their own, which keeps the cores the process may use busy,
 *     and these models' small matrices ran fastest on one thread (see the README's engine section)
 */
@ConfigurationProperties("maas.compute")
@Validated
public record ComputeProperties(@DefaultValue("0") @Min(0) @Max(1024) int threads) {

  /** The threads a call gets on a process that may use {@code cores} cores. */
  public int threadsFor(int cores) {
    return threads > 0 ? threads : 1;
  }
}
