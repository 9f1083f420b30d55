package dev.maas.capacity;

/**
 * The cost model: usage turned into money with the configured prices ({@code maas.cost.*}). Every
 * formula here is written out in the README's "Capacity and cost" section.
 */
public record Prices(
    String currency, double cpuCoreHour, double memoryGibHour, double storageGibMonth) {
  static final double GIB = 1024.0 * 1024 * 1024;

  public static Prices of(CostProperties cost) {
    return new Prices(
        cost.currency(), cost.cpuCoreHour(), cost.memoryGibHour(), cost.storageGibMonth());
  }

  /**
   * CPU seconds and memory held for a time: cpu/3600 x core-hour + GiB x seconds/3600 x GiB-hour.
   */
  double compute(double cpuSeconds, double memoryBytes, double memorySeconds) {
    return cpuSeconds / 3600 * cpuCoreHour
        + memoryBytes / GIB * memorySeconds / 3600 * memoryGibHour;
  }

  /** A training job: its CPU seconds, and its peak native memory held for its wall time. */
  public double training(double cpuSeconds, double wallSeconds, double peakBytes) {
    return compute(cpuSeconds, peakBytes, wallSeconds);
  }

  /**
   * A million predicted rows on a fully busy replica of {@code cores}: 10^6 x s core-seconds of
   * compute, and the loaded model's memory held for the 10^6 x s / cores seconds they take.
   */
  public double perMillionRows(double computeSecondsPerRow, int cores, double modelBytes) {
    double coreSeconds = 1e6 * computeSecondsPerRow;
    return compute(coreSeconds, modelBytes, coreSeconds / cores);
  }

  /** Storing {@code bytes} for a month. */
  double storagePerMonth(double bytes) {
    return bytes / GIB * storageGibMonth;
  }
}
