package dev.maas.storage;

import com.zaxxer.hikari.HikariConfig;
import com.zaxxer.hikari.HikariDataSource;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.UUID;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.function.Consumer;
import javax.sql.DataSource;
import org.flywaydb.core.Flyway;
import org.postgresql.PGConnection;
import org.postgresql.PGNotification;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Shared mode's two back ends: PostgreSQL (a HikariCP pool, the schema migrated by Flyway from
 * {@code db/migration}) and the S3 bucket ({@link ObjectStore}); and the notifications that tell
 * every replica about changes another made: one connection of its own {@code LISTEN}s on the
 * channels asked for and hands each payload to its handlers.
 */
public final class SharedStore implements AutoCloseable {
  private static final Logger log = LoggerFactory.getLogger(SharedStore.class);

  private final HikariDataSource data;
  private final ObjectStore objects;
  private final String replica = UUID.randomUUID().toString();
  private final String url;
  private final Properties credentials;
  private final Map<String, List<Consumer<String>>> handlers = new ConcurrentHashMap<>();
  private final Thread listener;
  private volatile boolean closed;

  private SharedStore(
      HikariDataSource data, ObjectStore objects, String url, Properties credentials) {
    this.data = data;
    this.objects = objects;
    this.url = url;
    this.credentials = credentials;
    this.listener = new Thread(this::listen, "maas-store-listen");
    this.listener.setDaemon(true);
  }

  /**
   * Connects to the database at {@code url} (migrating its schema) and to the bucket; fails naming
   * what cannot be reached.
   */
  public static SharedStore open(
      String url, String username, String password, StoreProperties.S3 s3) {
    if (url == null || url.isBlank()) {
      throw new IllegalArgumentException(
          "maas.store.type=shared needs spring.datasource.url, e.g."
              + " jdbc:postgresql://db:5432/maas");
    }
    HikariConfig config = new HikariConfig();
    config.setJdbcUrl(url);
    config.setUsername(username);
    config.setPassword(password);
    config.setPoolName("maas-store");
    // Ten connections at most, two kept idle: every replica holds 3 (with the listener's) while
    // quiet, so PostgreSQL's default max_connections (100) serves about 30 quiet replicas.
    config.setMaximumPoolSize(10);
    config.setMinimumIdle(2);
    HikariDataSource data = new HikariDataSource(config);
    ObjectStore objects = null;
    try {
      Flyway.configure().dataSource(data).locations("classpath:db/migration").load().migrate();
      objects = ObjectStore.connect(s3);
      objects.check();
      Properties credentials = new Properties();
      if (username != null) {
        credentials.setProperty("user", username);
      }
      if (password != null) {
        credentials.setProperty("password", password);
      }
      SharedStore store = new SharedStore(data, objects, url, credentials);
      store.listener.start();
      // The replica's id names it in job leases (training_jobs.lease_holder): an operator reads
      // which replica runs a job from the database and finds the replica by this line.
      log.info(
          "shared store: database {} and bucket {}; this replica's id is {}",
          url,
          s3.bucket(),
          store.replica());
      return store;
    } catch (RuntimeException e) {
      if (objects != null) {
        objects.close();
      }
      data.close();
      throw e;
    }
  }

  public DataSource data() {
    return data;
  }

  public ObjectStore objects() {
    return objects;
  }

  /** This replica's id (random per start), which leases and notifications name. */
  public String replica() {
    return replica;
  }

  /**
   * Calls {@code handler} with the payload of every notification on {@code channel} (made by any
   * replica, this one included), on the listener's thread; handlers must be quick.
   */
  public void subscribe(String channel, Consumer<String> handler) {
    handlers.computeIfAbsent(channel, c -> new CopyOnWriteArrayList<>()).add(handler);
  }

  private void listen() {
    while (!closed) {
      try (Connection c = DriverManager.getConnection(url, credentials)) {
        java.util.Set<String> listening = new java.util.HashSet<>();
        PGConnection pg = c.unwrap(PGConnection.class);
        while (!closed) {
          for (String channel : handlers.keySet()) {
            if (listening.add(channel)) {
              try (Statement s = c.createStatement()) {
                s.execute("LISTEN " + quote(channel));
              }
            }
          }
          PGNotification[] received = pg.getNotifications(200);
          if (received == null) {
            continue;
          }
          for (PGNotification n : received) {
            for (Consumer<String> h : handlers.getOrDefault(n.getName(), List.of())) {
              try {
                h.accept(n.getParameter());
              } catch (RuntimeException e) {
                log.warn("shared store: a handler of {} failed: {}", n.getName(), e.toString());
              }
            }
          }
        }
      } catch (SQLException e) {
        if (!closed) {
          log.warn("shared store: listening for changes failed, again in 1 s: {}", e.toString());
          try {
            Thread.sleep(1000);
          } catch (InterruptedException ie) {
            return;
          }
        }
      }
    }
  }

  private static String quote(String channel) {
    if (!channel.matches("[a-z_]{1,60}")) {
      throw new IllegalArgumentException("not a channel name: " + channel);
    }
    return channel;
  }

  @Override
  public void close() {
    closed = true;
    listener.interrupt();
    objects.close();
    data.close();
  }
}
