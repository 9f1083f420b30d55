package dev.maas.storage;

import java.util.function.Supplier;

/**
 * A record as something to follow: its view now and a number that grows whenever the view changes,
 * so that a follower (a job's server-sent events) sends a view only when it is new.
 */
public record Snapshot<V>(long version, V view) {

  /**
   * Follows a view read again on every call (a record another replica writes): the number grows
   * each time the view read differs from the one before.
   */
  public static <V> Supplier<Snapshot<V>> changes(Supplier<V> read) {
    return new Supplier<>() {
      private long version;
      private V last;

      @Override
      public synchronized Snapshot<V> get() {
        V view = read.get();
        if (!view.equals(last)) {
          last = view;
          version++;
        }
        return new Snapshot<>(version, view);
      }
    };
  }
}
