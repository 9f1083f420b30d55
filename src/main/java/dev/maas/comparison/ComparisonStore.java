package dev.maas.comparison;

import java.util.List;
import java.util.Optional;

/**
 * Where comparisons live: {@link FileComparisonStore} (files under the data directory, embedded
 * mode) or {@link SharedComparisonStore} (PostgreSQL, shared mode, visible from every replica). The
 * replica that runs a comparison holds a lease on it, renewed as it saves; a comparison whose
 * runner stopped (a restart, a replica gone) is claimed by one replica and carried on.
 */
interface ComparisonStore {

  /** Stores the comparison, replacing what it had, and renews this replica's lease on it. */
  void save(ComparisonRecord record);

  /** The comparison, if stored. */
  Optional<ComparisonRecord> load(String id);

  /** Every stored comparison, the newest first; one that cannot be read is logged and skipped. */
  List<ComparisonRecord> loadAll();

  /** Marks the comparison to be cancelled, for whichever replica runs it; a save keeps the mark. */
  void requestCancel(String id);

  /** Whether a cancel was asked for. */
  boolean cancelRequested(String id);

  /**
   * Takes the running comparison over for this replica, when no other live replica holds it; true
   * when this replica now runs it.
   */
  boolean claim(String id);

  /** The running comparisons no live replica holds: their runner stopped. */
  List<String> orphans();
}
