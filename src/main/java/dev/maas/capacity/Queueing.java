package dev.maas.capacity;

/**
 * Replicas for a target rate within a p99 bound, from an M/M/c queue per replica (Erlang C): each
 * replica is {@code c} servers (its cores), each serving one request at a time in {@code service}
 * seconds on average; requests arrive at random (Poisson) and are spread evenly over replicas. The
 * probability that a request waits longer than {@code t} is {@code C(c, a) exp(-(c mu - lambda)
 * t)}, so the 99th percentile wait is {@code max(0, ln(100 C) / (c mu - lambda))}. A request's p99
 * is taken as that wait plus the fixed part (everything but the queueing) of its latency.
 */
final class Queueing {
  /** The most replicas searched; a target that needs more is answered as unreachable. */
  static final int MAX_REPLICAS = 100_000;

  private Queueing() {}

  /**
   * Erlang's C formula: the probability that an arrival waits, for {@code c} servers and offered
   * load {@code a = lambda / mu} (requires {@code a < c}); computed through Erlang B's recurrence,
   * which is stable for any {@code c}.
   */
  static double erlangC(int c, double a) {
    double b = 1;
    for (int k = 1; k <= c; k++) {
      b = a * b / (k + a * b);
    }
    double rho = a / c;
    return b / (1 - rho * (1 - b));
  }

  /**
   * The 99th percentile of the waiting time, in seconds, or infinity when the queue is unstable.
   */
  static double waitP99(int servers, double arrivalsPerSecond, double serviceSeconds) {
    double mu = 1 / serviceSeconds;
    double spare = servers * mu - arrivalsPerSecond;
    if (spare <= 0) {
      return Double.POSITIVE_INFINITY;
    }
    double c = erlangC(servers, arrivalsPerSecond * serviceSeconds);
    return c <= 0.01 ? 0 : Math.log(c / 0.01) / spare;
  }

  /**
   * The fewest replicas that keep {@code fixedSeconds + waitP99} within {@code p99Seconds} at
   * {@code targetRps}, or -1 when none can (the fixed part alone is over the bound, or more than
   * {@link #MAX_REPLICAS} would be needed).
   */
  static int replicas(
      double targetRps, double p99Seconds, int cores, double serviceSeconds, double fixedSeconds) {
    if (fixedSeconds > p99Seconds) {
      return -1;
    }
    if (targetRps <= 0) {
      return 0;
    }
    // Below this count the replicas would be more than fully busy.
    int n = Math.max(1, (int) Math.ceil(targetRps * serviceSeconds / cores));
    for (; n <= MAX_REPLICAS; n++) {
      if (fixedSeconds + waitP99(cores, targetRps / n, serviceSeconds) <= p99Seconds) {
        return n;
      }
    }
    return -1;
  }
}
