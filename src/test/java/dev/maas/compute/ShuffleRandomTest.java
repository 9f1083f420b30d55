package dev.maas.compute;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.Random;
import org.junit.jupiter.api.Test;

class ShuffleRandomTest {

  @Test
  void drawsWhatJavaUtilRandomDrawsForEverySeedAndBound() {
    for (long seed : new long[] {0, 1, 42, 43, 44, -1, Long.MIN_VALUE, Long.MAX_VALUE, 123456789}) {
      Random expected = new Random(seed);
      ShuffleRandom actual = ShuffleRandom.seeded(seed);
      for (int i = 0; i < 20_000; i++) {
        // Powers of two, small and large bounds, and bounds near 2^31 where rejection happens.
        int bound =
            switch (i % 5) {
              case 0 -> 1 + i;
              case 1 -> 1 << (i % 31);
              case 2 -> Integer.MAX_VALUE - i;
              case 3 -> (1 << 30) + 1 + i;
              default -> 1 + (i % 7);
            };
        assertThat(actual.nextInt(bound))
            .as("seed %d draw %d", seed, i)
            .isEqualTo(expected.nextInt(bound));
      }
    }
  }

  @Test
  void aGeneratorMadeOfASavedStateContinuesTheSequence() {
    ShuffleRandom first = ShuffleRandom.seeded(7);
    for (int i = 0; i < 1000; i++) {
      first.nextInt(97);
    }
    ShuffleRandom second = ShuffleRandom.ofState(first.state());
    for (int i = 0; i < 1000; i++) {
      assertThat(second.nextInt(1000 + i)).isEqualTo(first.nextInt(1000 + i));
    }
  }

  @Test
  void theShuffledOrderIsTheOneJavaUtilRandomGave() {
    int[] order = Trainer.shuffled(150, 42);
    int[] expected = new int[150];
    for (int i = 0; i < 150; i++) {
      expected[i] = i;
    }
    Random random = new Random(42);
    for (int i = expected.length - 1; i > 0; i--) {
      int j = random.nextInt(i + 1);
      int t = expected[i];
      expected[i] = expected[j];
      expected[j] = t;
    }
    assertThat(order).isEqualTo(expected);
  }
}
