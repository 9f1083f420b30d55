package dev.maas.compute;

/**
 * How to train: mini-batch gradient descent where {@code batchSize} equal to the number of training
 * rows is full-batch gradient descent and 1 is stochastic gradient descent.
 *
 * @param epochs passes over the training rows, at least 1
 * @param batchSize rows per step, at least 1 and at most the training rows
 * @param optimizer optimizer and its settings
 * @param l1 L1 penalty on weights (not biases), not negative
 * @param l2 L2 penalty on weights (not biases), not negative
 * @param validationFraction fraction of the training rows held out to compute validation loss, in
 *     [0, 0.5]
 * @param earlyStopping when to stop early, or null to run every epoch
 * @param seed fixes initial weights, shuffling, the validation split and dropout
 */
public record TrainingParams(
    int epochs,
    int batchSize,
    Optimizer optimizer,
    double l1,
    double l2,
    double validationFraction,
    EarlyStopping earlyStopping,
    long seed) {

  /** The seed used when a request gives none, so the same request trains the same model. */
  public static final long DEFAULT_SEED = 42;

  public TrainingParams {
    if (optimizer == null) {
      optimizer = Optimizer.adam(1e-3);
    }
  }

  /** 100 epochs of Adam (1e-3) in batches of 32, no penalty, no validation, seed 42. */
  public static TrainingParams defaults() {
    return new TrainingParams(100, 32, Optimizer.adam(1e-3), 0, 0, 0, null, DEFAULT_SEED);
  }

  public TrainingParams withEpochs(int value) {
    return new TrainingParams(
        value, batchSize, optimizer, l1, l2, validationFraction, earlyStopping, seed);
  }

  public TrainingParams withBatchSize(int value) {
    return new TrainingParams(
        epochs, value, optimizer, l1, l2, validationFraction, earlyStopping, seed);
  }

  public TrainingParams withOptimizer(Optimizer value) {
    return new TrainingParams(
        epochs, batchSize, value, l1, l2, validationFraction, earlyStopping, seed);
  }

  public TrainingParams withRegularization(double l1Value, double l2Value) {
    return new TrainingParams(
        epochs, batchSize, optimizer, l1Value, l2Value, validationFraction, earlyStopping, seed);
  }

  public TrainingParams withValidation(double fraction, EarlyStopping stopping) {
    return new TrainingParams(epochs, batchSize, optimizer, l1, l2, fraction, stopping, seed);
  }

  public TrainingParams withSeed(long value) {
    return new TrainingParams(
        epochs, batchSize, optimizer, l1, l2, validationFraction, earlyStopping, value);
  }

  /** Adds every problem of these parameters, for a training set of {@code rows} rows. */
  public void validate(int rows, Problems problems) {
    problems.require(
        epochs >= 1 && epochs <= 100_000,
        "training.epochs",
        "must be between 1 and 100000, was " + epochs);
    problems.require(batchSize >= 1, "training.batchSize", "must be at least 1, was " + batchSize);
    int trainingRows = rows - validationRows(rows);
    problems.require(
        batchSize <= Math.max(trainingRows, 1),
        "training.batchSize",
        "must not exceed the " + trainingRows + " training rows, was " + batchSize);
    problems.require(l1 >= 0 && Double.isFinite(l1), "training.l1", "must not be negative");
    problems.require(l2 >= 0 && Double.isFinite(l2), "training.l2", "must not be negative");
    problems.require(
        validationFraction >= 0 && validationFraction <= 0.5,
        "training.validationFraction",
        "must be in [0, 0.5], was " + validationFraction);
    optimizer.validate(problems);
    if (earlyStopping != null) {
      earlyStopping.validate(problems);
    }
  }

  /** Rows held out for validation out of {@code rows}. */
  public int validationRows(int rows) {
    if (validationFraction <= 0) {
      return 0;
    }
    return Math.max(1, (int) Math.round(rows * validationFraction));
  }
}
