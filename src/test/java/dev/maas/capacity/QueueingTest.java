package dev.maas.capacity;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

import org.junit.jupiter.api.Test;

class QueueingTest {

  @Test
  void erlangCIsTheUtilisationForOneServerAndMatchesTheTextbookForTwo() {
    assertThat(Queueing.erlangC(1, 0.7)).isCloseTo(0.7, within(1e-12));
    // c = 2, a = 1: C = (a^2/2 / (1 - 1/2)) / (1 + a + a^2/2 / (1 - 1/2)) = 1/3.
    assertThat(Queueing.erlangC(2, 1)).isCloseTo(1.0 / 3, within(1e-12));
  }

  @Test
  void theP99WaitOfAnMm1QueueFollowsItsClosedForm() {
    // M/M/1, mu = 100/s, lambda = 80/s: P(W > t) = rho exp(-(mu - lambda) t).
    double w = Queueing.waitP99(1, 80, 0.01);
    assertThat(w).isCloseTo(Math.log(0.8 / 0.01) / 20, within(1e-12));
    assertThat(Queueing.waitP99(1, 100, 0.01)).isInfinite();
  }

  @Test
  void replicasGrowWithTheRateAndKeepTheP99WithinTheBound() {
    // 1 ms per request, 4 cores: one replica serves at most 4000 requests/s.
    int n = Queueing.replicas(10_000, 0.010, 4, 0.001, 0.002);
    assertThat(n).isGreaterThanOrEqualTo(3);
    assertThat(0.002 + Queueing.waitP99(4, 10_000.0 / n, 0.001)).isLessThanOrEqualTo(0.010);
    assertThat(0.002 + Queueing.waitP99(4, 10_000.0 / (n - 1), 0.001)).isGreaterThan(0.010);
    assertThat(Queueing.replicas(20_000, 0.010, 4, 0.001, 0.002)).isGreaterThan(n);
  }

  @Test
  void aBoundBelowTheFixedLatencyCannotBeMet() {
    assertThat(Queueing.replicas(10, 0.001, 4, 0.001, 0.002)).isEqualTo(-1);
    assertThat(Queueing.replicas(0, 0.010, 4, 0.001, 0.002)).isZero();
  }
}
