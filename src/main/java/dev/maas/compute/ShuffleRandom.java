package dev.maas.compute;

/**
 * The generator that orders mini-batches and picks the validation split: the 48-bit linear
 * congruential generator that {@link java.util.Random} specifies, draw for draw (same seed
 * scrambling, same {@code next(31)}, same rejection loop in {@link #nextInt(int)}), with its state
 * readable and settable so that a checkpoint can save it and a resumed run continue the very same
 * sequence. {@code java.util.Random} hides its state; reimplementing its documented algorithm keeps
 * every model trained before checkpoints existed bit for bit the same.
 *
 * <p>Not thread-safe; one instance per training run.
 */
final class ShuffleRandom {
  private static final long MULTIPLIER = 0x5DEECE66DL;
  private static final long ADDEND = 0xBL;
  private static final long MASK = (1L << 48) - 1;

  private long state;

  private ShuffleRandom(long state) {
    this.state = state;
  }

  /** The generator {@code new java.util.Random(seed)} is. */
  static ShuffleRandom seeded(long seed) {
    return new ShuffleRandom((seed ^ MULTIPLIER) & MASK);
  }

  /** A generator continuing from a {@link #state()} saved earlier. */
  static ShuffleRandom ofState(long state) {
    if ((state & ~MASK) != 0) {
      throw new IllegalArgumentException("a shuffle state has 48 bits, was " + state);
    }
    return new ShuffleRandom(state);
  }

  /** The 48-bit state: a generator made {@link #ofState} of it draws what this one draws next. */
  long state() {
    return state;
  }

  private int next(int bits) {
    state = (state * MULTIPLIER + ADDEND) & MASK;
    return (int) (state >>> (48 - bits));
  }

  /** What {@link java.util.Random#nextInt(int)} returns: uniform in [0, bound). */
  int nextInt(int bound) {
    if (bound <= 0) {
      throw new IllegalArgumentException("bound must be positive");
    }
    if ((bound & -bound) == bound) {
      return (int) ((bound * (long) next(31)) >> 31);
    }
    int bits;
    int val;
    do {
      bits = next(31);
      val = bits % bound;
    } while (bits - val + (bound - 1) < 0);
    return val;
  }
}
