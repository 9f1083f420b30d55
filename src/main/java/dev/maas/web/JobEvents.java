package dev.maas.web;

import dev.maas.storage.Snapshot;
import java.io.IOException;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.AtomicReference;
import java.util.function.Predicate;
import java.util.function.Supplier;
import org.springframework.web.servlet.mvc.method.annotation.SseEmitter;

/**
 * A job's server-sent events, for the job controllers: a {@code job} event with the job's view
 * whenever it changes (checked every 200 ms), the last one when the view is final; then the stream
 * ends. One daemon thread serves every stream of a controller; {@link #close} stops it.
 */
public final class JobEvents implements AutoCloseable {
  private final ScheduledExecutorService ticker;

  public JobEvents(String threadName) {
    this.ticker =
        Executors.newSingleThreadScheduledExecutor(
            r -> {
              Thread t = new Thread(r, threadName);
              t.setDaemon(true);
              return t;
            });
  }

  /** The events of the job {@code job} follows, until {@code finished} says its view is final. */
  public <V> SseEmitter stream(Supplier<Snapshot<V>> job, Predicate<V> finished) {
    SseEmitter emitter = new SseEmitter(0L);
    AtomicLong seen = new AtomicLong(-1);
    AtomicReference<ScheduledFuture<?>> future = new AtomicReference<>();
    Runnable tick =
        () -> {
          try {
            Snapshot<V> now = job.get();
            if (now.version() != seen.get()) {
              seen.set(now.version());
              emitter.send(
                  SseEmitter.event().name("job").id(Long.toString(now.version())).data(now.view()));
            }
            if (finished.test(now.view())) {
              emitter.complete();
              cancel(future);
            }
          } catch (IOException | IllegalStateException e) {
            emitter.completeWithError(e);
            cancel(future);
          }
        };
    emitter.onCompletion(() -> cancel(future));
    emitter.onTimeout(() -> cancel(future));
    emitter.onError(e -> cancel(future));
    future.set(ticker.scheduleWithFixedDelay(tick, 0, 200, TimeUnit.MILLISECONDS));
    return emitter;
  }

  private static void cancel(AtomicReference<ScheduledFuture<?>> future) {
    ScheduledFuture<?> f = future.get();
    if (f != null) {
      f.cancel(false);
    }
  }

  @Override
  public void close() {
    ticker.shutdownNow();
  }
}
