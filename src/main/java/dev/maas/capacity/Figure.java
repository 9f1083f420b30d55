package dev.maas.capacity;

/**
 * One number of a capacity answer and where it comes from: {@code measured} (read from this
 * server's meters, job records or files) or {@code estimated} (computed by a documented formula
 * from measured figures, prices or analytic counts).
 */
record Figure(double value, String source) {
  static final String MEASURED = "measured";
  static final String ESTIMATED = "estimated";

  static Figure measured(double value) {
    return new Figure(value, MEASURED);
  }

  static Figure estimated(double value) {
    return new Figure(value, ESTIMATED);
  }
}
