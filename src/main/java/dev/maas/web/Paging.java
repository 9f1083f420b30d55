package dev.maas.web;

import dev.maas.errors.InvalidException;
import java.util.List;

/**
 * Offset and limit paging, the same on every list endpoint: {@code offset} from 0 (default 0),
 * {@code limit} from 1 to {@link #MAX_LIMIT} (default {@link #DEFAULT_LIMIT}); anything else is a
 * 400 naming the parameter.
 */
public record Paging(int offset, int limit) {
  public static final int DEFAULT_LIMIT = 50;
  public static final int MAX_LIMIT = 1000;

  /** The default limit as a string, for {@code @RequestParam(defaultValue = ...)}. */
  public static final String DEFAULT_LIMIT_TEXT = "" + DEFAULT_LIMIT;

  public Paging {
    if (offset < 0) {
      throw new InvalidException("'offset' must be at least 0, not " + offset);
    }
    if (limit < 1 || limit > MAX_LIMIT) {
      throw new InvalidException("'limit' must be between 1 and " + MAX_LIMIT + ", not " + limit);
    }
  }

  /** This page of {@code all}, copied. */
  public <T> List<T> of(List<T> all) {
    int from = Math.min(offset, all.size());
    int to = (int) Math.min((long) from + limit, all.size());
    return List.copyOf(all.subList(from, to));
  }
}
