package dev.maas.bench;

import dev.maas.bench.TrainReference.Result;
import java.io.BufferedReader;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/** Runs shared/peers/reference.py and parses its lines into the benchmark's row names. */
final class PeerReference {
  private static final String PYTHON = "/usr/bin/python3";
  // e.g. "cnn        digits                 accuracy                   0.9805  train 1.76s"
  private static final Pattern LINE =
      Pattern.compile("^(\\S+)\\s+(.+?)\\s{2,}(.+?)\\s+(-?[\\d.]+)\\s+train\\s+([\\d.]+)s$");

  private PeerReference() {}

  /** Median figures per "family dataset" key, or empty when the peer cannot run here. */
  static Map<String, Result> run(String script, int repeat) throws Exception {
    if (!available()) {
      return Map.of();
    }
    Map<String, List<double[]>> runs = new LinkedHashMap<>();
    for (int r = 0; r < repeat; r++) {
      Process p = new ProcessBuilder(PYTHON, script).redirectErrorStream(true).start();
      try (BufferedReader out =
          new BufferedReader(new InputStreamReader(p.getInputStream(), StandardCharsets.UTF_8))) {
        for (String line = out.readLine(); line != null; line = out.readLine()) {
          Matcher m = LINE.matcher(line.trim());
          if (m.matches()) {
            String key = family(m.group(1)) + " " + dataset(m.group(2));
            runs.computeIfAbsent(key, k -> new ArrayList<>())
                .add(new double[] {Double.parseDouble(m.group(4)), Double.parseDouble(m.group(5))});
          }
        }
      }
      if (!p.waitFor(10, TimeUnit.MINUTES) || p.exitValue() != 0) {
        throw new IllegalStateException("the peer reference failed (exit " + p.exitValue() + ")");
      }
    }
    Map<String, Result> out = new HashMap<>();
    runs.forEach(
        (key, values) -> {
          double[] seconds = values.stream().mapToDouble(v -> v[1]).toArray();
          out.put(key, new Result("", values.get(0)[0], TrainReference.median(seconds)));
        });
    return out;
  }

  private static boolean available() throws Exception {
    if (!new java.io.File(PYTHON).canExecute()) {
      return false;
    }
    Process p =
        new ProcessBuilder(PYTHON, "-c", "import torch, sklearn, pandas")
            .redirectErrorStream(true)
            .start();
    p.getInputStream().readAllBytes();
    return p.waitFor(2, TimeUnit.MINUTES) && p.exitValue() == 0;
  }

  private static String family(String peer) {
    return peer.equals("rnn-rnn") ? "rnn-simple" : peer;
  }

  private static String dataset(String peer) {
    return peer.startsWith("sunspots") ? "sunspots" : peer;
  }
}
