package dev.maas.compute;

import dev.maas.compute.nn.HostArrays;
import dev.maas.compute.nn.Network;
import dev.maas.compute.nn.Workspaces;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.memory.MemoryWorkspace;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.api.ops.custom.LinearSolve;
import org.nd4j.linalg.factory.Nd4j;
import org.nd4j.linalg.indexing.NDArrayIndex;
import org.nd4j.linalg.ops.transforms.Transforms;

/**
 * Fits logistic regression, binary (one sigmoid unit) or multinomial (softmax), by Newton's method
 * on the L2-penalized mean cross-entropy, in double precision with ND4J's products and solver. The
 * objective is strictly convex with the penalty, so a few damped Newton steps reach the optimum to
 * machine precision; a backtracking line search keeps every step a descent.
 */
final class NewtonLogistic {
  static final int MAX_ITERATIONS = 100;
  private static final double GRADIENT_TOLERANCE = 1e-9;
  private static final double DAMPING = 1e-9;

  private final int n;
  private final int p; // features + 1
  private final int k; // output units
  private final double l2;
  private final INDArray x; // [n, p], last column ones
  private final INDArray y; // [n, k]

  private NewtonLogistic(EncodedData data, double l2) {
    this.n = data.rows;
    this.p = data.rowLength + 1;
    this.k = data.units;
    this.l2 = l2;
    double[] xs = new double[n * p];
    double[] row = new double[p - 1];
    double[] ys = new double[n * k];
    for (int r = 0; r < n; r++) {
      data.copyFeatures(r, row);
      System.arraycopy(row, 0, xs, r * p, p - 1);
      xs[r * p + p - 1] = 1;
      data.copyTargets(r, ys, r * k);
    }
    x = Nd4j.create(xs, new long[] {n, p}, DataType.DOUBLE);
    y = Nd4j.create(ys, new long[] {n, k}, DataType.DOUBLE);
  }

  /**
   * Sets the network's one dense layer ([features + 1, units], bias last) to the fit.
   *
   * @param l2 penalty on the weights (not the biases), greater than zero
   */
  static void fit(Network network, EncodedData data, double l2) {
    NewtonLogistic solver = new NewtonLogistic(data, l2);
    try {
      INDArray w = solver.solve();
      network.setParameters(HostArrays.readFlat(w.dup('c')));
    } finally {
      HostArrays.close(solver.x, solver.y);
    }
  }

  private INDArray solve() {
    INDArray penalty = penaltyDiagonal();
    INDArray w = Nd4j.zeros(DataType.DOUBLE, p, k);
    INDArray probabilities = probabilities(w);
    double loss = loss(w, probabilities);
    for (int iteration = 0; iteration < MAX_ITERATIONS; iteration++) {
      try (MemoryWorkspace ws = Workspaces.step()) {
        INDArray gradient = gradient(w, probabilities);
        if (gradient.norm2Number().doubleValue() < GRADIENT_TOLERANCE) {
          break;
        }
        INDArray step = newtonStep(probabilities, gradient, penalty);
        double slope = gradient.mul(step).sumNumber().doubleValue();
        double t = 1;
        INDArray candidate;
        INDArray candidateProbabilities;
        double candidateLoss;
        while (true) {
          candidate = t == 1 ? w.sub(step) : w.sub(step.mul(t));
          candidateProbabilities = probabilities(candidate);
          candidateLoss = loss(candidate, candidateProbabilities);
          if (candidateLoss <= loss - 1e-4 * t * slope || t < 1e-10) {
            break;
          }
          t /= 2;
        }
        boolean converged = loss - candidateLoss < 1e-15 * Math.max(1, Math.abs(loss));
        try (var ignored = Nd4j.getWorkspaceManager().scopeOutOfWorkspaces()) {
          w = candidate.detach();
          probabilities = candidateProbabilities.detach();
        }
        loss = candidateLoss;
        if (converged) {
          break;
        }
      }
    }
    return w;
  }

  /** l2 on each weight's diagonal entry of the Hessian (not on biases), plus a tiny damping. */
  private INDArray penaltyDiagonal() {
    double[] d = new double[p * k];
    for (int a = 0; a < k; a++) {
      for (int i = 0; i < p; i++) {
        d[a * p + i] = (i < p - 1 ? l2 : 0) + DAMPING;
      }
    }
    return Nd4j.diag(Nd4j.create(d, new long[] {p * k}, DataType.DOUBLE));
  }

  private INDArray probabilities(INDArray w) {
    INDArray z = x.mmul(w);
    return k == 1 ? Transforms.sigmoid(z, false) : Transforms.softmax(z, false);
  }

  /** Mean cross-entropy plus (l2 / 2) |weights|^2. */
  private double loss(INDArray w, INDArray probs) {
    double eps = 1e-300;
    double data;
    if (k == 1) {
      INDArray logP = Transforms.log(Transforms.max(probs, eps, true), false);
      INDArray log1mP = Transforms.log(Transforms.max(probs.rsub(1.0), eps, false), false);
      data = -(y.mul(logP).addi(y.rsub(1.0).muli(log1mP))).sumNumber().doubleValue() / n;
    } else {
      INDArray logP = Transforms.log(Transforms.max(probs, eps, true), false);
      data = -y.mul(logP).sumNumber().doubleValue() / n;
    }
    INDArray weights = w.get(NDArrayIndex.interval(0, p - 1), NDArrayIndex.all());
    return data + 0.5 * l2 * weights.mul(weights).sumNumber().doubleValue();
  }

  private INDArray gradient(INDArray w, INDArray probabilities) {
    INDArray g = x.transpose().mmul(probabilities.sub(y)).divi(n);
    g.get(NDArrayIndex.interval(0, p - 1), NDArrayIndex.all())
        .addi(w.get(NDArrayIndex.interval(0, p - 1), NDArrayIndex.all()).mul(l2));
    return g;
  }

  /**
   * Solves H d = g for the Newton step, in the layout index(a, i) = a * p + i. With A[r, (a, i)] =
   * p_ra x_ri, the Hessian of the mean cross-entropy is (blockdiag_a(X' diag(p_a) X) - A'A) / n for
   * softmax, and X' diag(p (1 - p)) X / n for the sigmoid; both products are single calls.
   */
  private INDArray newtonStep(INDArray probabilities, INDArray gradient, INDArray penalty) {
    int m = p * k;
    INDArray hessian;
    if (k == 1) {
      INDArray weights = probabilities.mul(probabilities.rsub(1.0));
      hessian = x.transpose().mmul(x.mulColumnVector(weights)).divi(n);
    } else {
      INDArray a =
          probabilities.reshape(n, k, 1).mul(x.reshape(n, 1, p)).reshape('c', n, m); // [n, k*p]
      hessian = a.transpose().mmul(a).negi();
      INDArray blocks = a.transpose().mmul(x); // [k*p, p]: row block a is X' diag(p_a) X
      for (int b = 0; b < k; b++) {
        var rows = NDArrayIndex.interval(b * p, (b + 1) * p);
        hessian.get(rows, rows).addi(blocks.get(rows, NDArrayIndex.all()));
      }
      hessian.divi(n);
    }
    hessian.addi(penalty);
    INDArray rhs = gradient.transpose().dup('c').reshape(m, 1);
    INDArray solution = Nd4j.exec(new LinearSolve(hessian, rhs))[0];
    return solution.reshape('c', k, p).transpose().dup('c');
  }
}
