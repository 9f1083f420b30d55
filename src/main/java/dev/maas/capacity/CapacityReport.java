package dev.maas.capacity;

import dev.maas.capacity.CapacityAnswer.Batch;
import dev.maas.capacity.CapacityAnswer.Replicas;
import dev.maas.capacity.CapacityAnswer.Training;
import dev.maas.capacity.CapacityAnswer.VersionCapacity;
import dev.maas.registry.ModelRegistry;
import dev.maas.registry.ModelVersion;
import dev.maas.registry.RegisteredModel;
import dev.maas.training.TrainingJobs;
import dev.maas.training.TrainingRun;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Builds the capacity answer: per model version, what it is (parameters, FLOPs), what serving
 * measured (latency, compute per row), what one replica sustains, what training, serving and
 * storage cost, and optionally the replicas a target rate needs. The formulas are the README's.
 */
final class CapacityReport {
  private final ModelRegistry registry;
  private final TrainingJobs jobs;
  private final ServingMeters meters;
  private final BatchMeters batchMeters;
  private final VersionFigures figures;
  private final FlopRate flopRate;
  private final Prices prices;
  private final CapacityProperties capacity;

  CapacityReport(
      ModelRegistry registry,
      TrainingJobs jobs,
      ServingMeters meters,
      BatchMeters batchMeters,
      VersionFigures figures,
      FlopRate flopRate,
      Prices prices,
      CapacityProperties capacity) {
    this.registry = registry;
    this.jobs = jobs;
    this.meters = meters;
    this.batchMeters = batchMeters;
    this.figures = figures;
    this.flopRate = flopRate;
    this.prices = prices;
    this.capacity = capacity;
  }

  /**
   * @param target the target rate and p99 bound, or null
   * @param model only this model's versions, or null for all
   * @param offset the first version of the page (registry order, then versions only the meters
   *     know), at least 0
   * @param limit the most versions on the page, at least 1
   */
  CapacityAnswer report(CapacityAnswer.Target target, String model, int offset, int limit) {
    Map<ServingMeters.Key, ModelVersion> versions = new LinkedHashMap<>();
    for (RegisteredModel m : registry.models(null, null, null)) {
      for (ModelVersion v : registry.versions(m.name())) {
        versions.put(new ServingMeters.Key(v.name(), String.valueOf(v.version())), v);
      }
    }
    List<ServingMeters.Key> keys = new ArrayList<>(versions.keySet());
    for (ServingMeters.Key k : meters.served()) {
      if (!versions.containsKey(k) && parseVersion(k.version()) != null) {
        keys.add(k);
      }
    }
    if (model != null) {
      keys.removeIf(k -> !k.model().equals(model));
    }
    int total = keys.size();
    keys = keys.subList(Math.min(offset, total), (int) Math.min((long) offset + limit, total));
    Map<ServingMeters.Key, TrainingRun> runs = new HashMap<>();
    for (TrainingRun r : jobs.runs()) {
      if (r.version() != null) {
        runs.put(new ServingMeters.Key(r.model(), String.valueOf(r.version())), r);
      }
    }
    List<VersionCapacity> out = new ArrayList<>();
    for (ServingMeters.Key k : keys) {
      out.add(version(k, versions.get(k), runs.get(k), target));
    }
    int cores = capacity.cores();
    return new CapacityAnswer(
        prices.currency(),
        new CapacityAnswer.PriceList(
            prices.cpuCoreHour(), prices.memoryGibHour(), prices.storageGibMonth()),
        new CapacityAnswer.Replica(
            cores,
            capacity.replicaCpus() > 0
                ? "maas.capacity.replica-cpus"
                : "Runtime.availableProcessors"),
        target,
        out,
        offset,
        limit,
        total);
  }

  private VersionCapacity version(
      ServingMeters.Key key, ModelVersion v, TrainingRun run, CapacityAnswer.Target target) {
    VersionFigures.Figures f = v == null ? null : figures.of(v);
    ServingMeters.Measured m = meters.read(key);
    int cores = capacity.cores();
    String family = v != null ? v.family() : m.family();

    Figure computePerRow = null;
    double measuredPerRow = m.computeSecondsPerRow();
    if (measuredPerRow > 0) {
      computePerRow = Figure.measured(measuredPerRow);
    } else if (f != null && f.flopsPerPrediction() > 0) {
      double rate = flopRate.flopsPerSecond();
      if (rate > 0) {
        computePerRow = Figure.estimated(f.flopsPerPrediction() / rate);
      }
    }
    boolean served = m.requests() > 0;
    Figure rowsPerRequest =
        served && m.rows() > 0 ? Figure.measured(m.rows() / m.requests()) : Figure.estimated(1);
    Figure memory =
        Double.isFinite(m.memoryBytes())
            ? Figure.measured(m.memoryBytes())
            : f == null ? null : Figure.estimated(f.parameterBytes());

    Figure rowsPerSecond = null;
    Figure requestsPerSecond = null;
    Figure perMillion = null;
    if (computePerRow != null) {
      rowsPerSecond = Figure.estimated(cores / computePerRow.value());
      requestsPerSecond =
          Figure.estimated(cores / (computePerRow.value() * rowsPerRequest.value()));
      perMillion =
          Figure.estimated(
              prices.perMillionRows(
                  computePerRow.value(), cores, memory == null ? 0 : memory.value()));
    }
    Batch batch = batch(batchMeters.read(key), computePerRow, memory);
    Training training = null;
    if (run != null) {
      training =
          new Training(
              run.jobId(),
              Figure.measured(run.wallSeconds()),
              Figure.measured(run.cpuSeconds()),
              Figure.measured(run.peakNativeBytes()),
              Figure.measured(
                  prices.training(run.cpuSeconds(), run.wallSeconds(), run.peakNativeBytes())));
    }
    Replicas replicas =
        target == null ? null : replicas(target, m, computePerRow, rowsPerRequest, cores);
    return new VersionCapacity(
        key.model(),
        parseVersion(key.version()),
        family,
        f == null ? null : Figure.measured(f.parameters()),
        f == null ? null : Figure.estimated(f.flopsPerPrediction()),
        memory,
        v == null ? null : Figure.measured(v.artifactSize()),
        Figure.measured(m.requests()),
        Figure.measured(m.rows()),
        served ? Figure.measured(m.serverErrors() / m.requests()) : null,
        finiteMs(m.latencyP50()),
        finiteMs(m.latencyP99()),
        computePerRow,
        rowsPerRequest,
        rowsPerSecond,
        requestsPerSecond,
        training,
        perMillion,
        batch,
        v == null ? null : Figure.measured(prices.storagePerMonth(v.artifactSize())),
        replicas);
  }

  /**
   * A version's batch cost: measured from the rows its prediction jobs scored (CPU and wall seconds
   * per row of the workers, reading and writing included), else estimated from the online compute
   * time per row s, with CPU = wall = s per row (a job runs its chunks back to back on one worker).
   * A million rows cost their CPU seconds and the model's memory held for their wall time.
   */
  private Batch batch(BatchMeters.Measured jobs, Figure computePerRow, Figure memory) {
    double bytes = memory == null ? 0 : memory.value();
    if (jobs.rows() > 0) {
      double cpu = jobs.cpuSeconds() / jobs.rows();
      double wall = jobs.wallSeconds() / jobs.rows();
      return new Batch(
          Batch.PREDICTION_JOBS,
          Figure.measured(jobs.rows()),
          Figure.measured(cpu),
          Figure.measured(wall),
          Figure.measured(prices.compute(1e6 * cpu, bytes, 1e6 * wall)));
    }
    if (computePerRow == null) {
      return null;
    }
    double s = computePerRow.value();
    return new Batch(
        Batch.ONLINE_COMPUTE,
        null,
        Figure.estimated(s),
        Figure.estimated(s),
        Figure.estimated(prices.compute(1e6 * s, bytes, 1e6 * s)));
  }

  /**
   * Replicas from the M/M/c model of {@link Queueing}: service time per request {@code S = rows per
   * request x compute per row}; the fixed part of a request's latency is its measured p99 minus the
   * measured p99 of waiting (queue and batch window), and at least {@code S}.
   */
  private static Replicas replicas(
      CapacityAnswer.Target target,
      ServingMeters.Measured m,
      Figure computePerRow,
      Figure rowsPerRequest,
      int cores) {
    if (computePerRow == null) {
      return new Replicas(
          null, null, null, "no compute time per row: neither measured nor estimable");
    }
    double service = computePerRow.value() * rowsPerRequest.value();
    double fixed = service;
    String note = "M/M/c per replica with c = cores; fixed part = compute time per request";
    if (Double.isFinite(m.latencyP99())) {
      double wait = Double.isFinite(m.waitP99()) ? m.waitP99() : 0;
      fixed = Math.max(service, m.latencyP99() - wait);
      note = "M/M/c per replica with c = cores; fixed part = measured p99 latency - p99 wait";
    }
    double bound = target.p99Ms() / 1000;
    int n = Queueing.replicas(target.rps(), bound, cores, service, fixed);
    if (n < 0) {
      return new Replicas(
          null,
          null,
          Figure.estimated(fixed * 1000),
          fixed > bound
              ? "p99Ms is below the latency a request has without any queueing"
              : "more than " + Queueing.MAX_REPLICAS + " replicas would be needed");
    }
    if (n == 0) {
      return new Replicas(Figure.estimated(0), null, null, note);
    }
    double utilisation = target.rps() * service / (n * (double) cores);
    double p99 = fixed + Queueing.waitP99(cores, target.rps() / n, service);
    return new Replicas(
        Figure.estimated(n), Figure.estimated(utilisation), Figure.estimated(p99 * 1000), note);
  }

  private static Figure finiteMs(double seconds) {
    return Double.isFinite(seconds) ? Figure.measured(seconds * 1000) : null;
  }

  private static Integer parseVersion(String version) {
    try {
      return Integer.valueOf(version);
    } catch (NumberFormatException e) {
      return null;
    }
  }
}
