package dev.maas.dataset;

/**
 * Whether something (a queued or running training job) uses a dataset; such a dataset cannot be
 * deleted. The default bean says no; training replaces it.
 */
@FunctionalInterface
public interface DatasetUsage {
  boolean inUse(String datasetId);
}
