package dev.maas.contract;

import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.concurrent.ConcurrentHashMap;
import java.util.stream.Collectors;

/** Which documented operations the cases exercised, with the statuses they answered. */
final class Coverage {
  private final Map<String, Set<Integer>> statuses = new ConcurrentHashMap<>();

  void record(Contract.Operation operation, int status) {
    statuses.computeIfAbsent(operation.key(), k -> new TreeSet<>()).add(status);
  }

  /** The operations that never answered a success (2xx or 3xx) to a case. */
  List<Contract.Operation> withoutSuccess(List<Contract.Operation> documented) {
    return documented.stream()
        .filter(o -> statuses.getOrDefault(o.key(), Set.of()).stream().noneMatch(s -> s < 400))
        .collect(Collectors.toList());
  }

  @Override
  public String toString() {
    return new java.util.TreeMap<>(statuses).toString();
  }
}
