package dev.maas.capacity;

import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.binder.MeterBinder;
import java.util.function.LongSupplier;
import org.bytedeco.javacpp.Pointer;

/**
 * ND4J's native memory, as JavaCPP counts it, next to the JVM memory meters Spring Boot gives:
 * bytes JavaCPP allocated and still holds ({@code totalBytes}), the process' resident memory
 * ({@code physicalBytes}), and their configured limits ({@code maxBytes}, {@code
 * maxPhysicalBytes}).
 */
final class NativeMemoryMetrics implements MeterBinder {

  @Override
  public void bindTo(MeterRegistry meters) {
    gauge(
        meters,
        "maas.native.memory.used",
        "Native bytes JavaCPP (ND4J) holds",
        Pointer::totalBytes);
    gauge(
        meters,
        "maas.native.memory.max",
        "The most native bytes JavaCPP may hold (org.bytedeco.javacpp.maxbytes)",
        Pointer::maxBytes);
    gauge(
        meters,
        "maas.native.memory.physical",
        "Resident memory of the process, as JavaCPP reads it",
        Pointer::physicalBytes);
    gauge(
        meters,
        "maas.native.memory.physical.max",
        "The most resident memory JavaCPP allows (org.bytedeco.javacpp.maxphysicalbytes)",
        Pointer::maxPhysicalBytes);
  }

  private static void gauge(MeterRegistry meters, String name, String help, LongSupplier value) {
    Gauge.builder(name, () -> read(value)).description(help).baseUnit("bytes").register(meters);
  }

  private static double read(LongSupplier value) {
    try {
      return value.getAsLong();
    } catch (RuntimeException | LinkageError e) {
      return Double.NaN;
    }
  }
}
