package dev.maas.storage;

import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.util.ArrayList;
import java.util.List;
import javax.sql.DataSource;

/** Plain JDBC in transactions: what the shared stores run against PostgreSQL. */
public final class Sql {
  private Sql() {}

  /** Work on one connection. */
  @FunctionalInterface
  public interface Work<T> {
    T run(Connection connection) throws SQLException;
  }

  /**
   * Runs {@code work} in one transaction: committed when it returns, rolled back when it throws
   * (its domain exceptions pass through unchanged; a database failure becomes {@link
   * StoreException}).
   */
  public static <T> T transaction(DataSource data, Work<T> work) {
    try (Connection c = data.getConnection()) {
      c.setAutoCommit(false);
      try {
        T result = work.run(c);
        c.commit();
        return result;
      } catch (SQLException | RuntimeException e) {
        try {
          c.rollback();
        } catch (SQLException rollback) {
          e.addSuppressed(rollback);
        }
        throw e;
      }
    } catch (SQLException e) {
      throw new StoreException("the database failed: " + e.getMessage(), e);
    }
  }

  /** Runs {@code work} outside a transaction (each statement on its own). */
  public static <T> T read(DataSource data, Work<T> work) {
    try (Connection c = data.getConnection()) {
      return work.run(c);
    } catch (SQLException e) {
      throw new StoreException("the database failed: " + e.getMessage(), e);
    }
  }

  /** Prepares {@code sql} with {@code args} bound in order. */
  public static PreparedStatement prepare(Connection c, String sql, Object... args)
      throws SQLException {
    PreparedStatement s = c.prepareStatement(sql);
    for (int i = 0; i < args.length; i++) {
      s.setObject(i + 1, args[i]);
    }
    return s;
  }

  /** Runs an update with {@code args}; the rows it changed. */
  /** The first column of every row {@code sql} answers, as text (a SELECT, or DML RETURNING). */
  public static List<String> strings(Connection c, String sql, Object... args) throws SQLException {
    List<String> out = new ArrayList<>();
    try (PreparedStatement s = prepare(c, sql, args);
        ResultSet r = s.executeQuery()) {
      while (r.next()) {
        out.add(r.getString(1));
      }
    }
    return out;
  }

  public static int update(Connection c, String sql, Object... args) throws SQLException {
    try (PreparedStatement s = prepare(c, sql, args)) {
      return s.executeUpdate();
    }
  }

  /** Sends a notification on {@code channel}, delivered when the transaction commits. */
  public static void notify(Connection c, String channel, String payload) throws SQLException {
    try (PreparedStatement s = prepare(c, "SELECT pg_notify(?, ?)", channel, payload)) {
      s.execute();
    }
  }

  /** A failure of the shared store's database or object store. */
  public static final class StoreException extends RuntimeException {
    public StoreException(String message, Throwable cause) {
      super(message, cause);
    }
  }
}
