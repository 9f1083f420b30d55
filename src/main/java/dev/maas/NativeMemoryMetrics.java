package dev.maas;

import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.binder.MeterBinder;
import org.bytedeco.javacpp.Pointer;
import org.springframework.stereotype.Component;

/**
 * Off-heap memory as JavaCPP (under ND4J) counts it, beside the JVM's own memory metrics: the
 * process' physical memory (resident set) and the bytes JavaCPP has allocated and not yet freed.
 */
@Component
class NativeMemoryMetrics implements MeterBinder {

  @Override
  public void bindTo(MeterRegistry registry) {
    Gauge.builder("maas.native.physical", Pointer::physicalBytes)
        .description("Physical memory of the process (resident set), as JavaCPP reads it")
        .baseUnit("bytes")
        .register(registry);
    Gauge.builder("maas.native.allocated", Pointer::totalBytes)
        .description("Off-heap bytes JavaCPP has allocated and not yet freed (ND4J's arrays)")
        .baseUnit("bytes")
        .register(registry);
  }
}
