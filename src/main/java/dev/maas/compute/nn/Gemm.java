package dev.maas.compute.nn;

import org.bytedeco.javacpp.DoublePointer;
import org.bytedeco.javacpp.FloatPointer;
import org.bytedeco.javacpp.Pointer;
import org.bytedeco.openblas.global.openblas_nolapack;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;

/**
 * A matrix product {@code C = alpha op(A) op(B) + beta C} prepared once for fixed buffers and run
 * many times as one call of OpenBLAS's {@code cblas_sgemm}/{@code cblas_dgemm}, the library and
 * thread setting ND4J itself uses.
 *
 * <p>Why not {@code Nd4j.gemm}: it builds and executes a {@code Mmul} custom op per call, which
 * costs 10-15 µs of shape checks, op context and native allocations on top of the product; a
 * recurrent layer runs three products per time step, 150 per batch of 50-step sequences, each of
 * about 8 µs of arithmetic (LSTM of 32 units, batch 64). Here the operands' addresses, sizes and
 * leading dimensions are worked out once, and a run is the BLAS call alone.
 *
 * <p>Operands are matrices whose rows are contiguous (c order, column stride 1, any row stride: a
 * block of a larger matrix qualifies), all of one data type, float or double; anything else runs
 * through {@code Nd4j.gemm} instead. The arrays must stay alive and in place while the product is
 * used: a pass' own buffers and the network's parameter and gradient vectors do.
 */
final class Gemm {
  private final INDArray a;
  private final INDArray b;
  private final INDArray c;
  private final boolean transA;
  private final boolean transB;
  private final double alpha;
  private final double beta;
  private final boolean direct;
  private final int m;
  private final int n;
  private final int k;
  private final int lda;
  private final int ldb;
  private final int ldc;
  private final Pointer pa;
  private final Pointer pb;
  private final Pointer pc;

  private Gemm(
      INDArray a,
      INDArray b,
      INDArray c,
      boolean transA,
      boolean transB,
      double alpha,
      double beta) {
    this.a = a;
    this.b = b;
    this.c = c;
    this.transA = transA;
    this.transB = transB;
    this.alpha = alpha;
    this.beta = beta;
    m = Math.toIntExact(c.size(0));
    n = Math.toIntExact(c.size(1));
    k = Math.toIntExact(transA ? a.size(0) : a.size(1));
    if ((transA ? a.size(1) : a.size(0)) != m
        || (transB ? b.size(1) : b.size(0)) != k
        || (transB ? b.size(0) : b.size(1)) != n) {
      throw new IllegalArgumentException(
          "shapes do not multiply: "
              + a.shapeInfoToString()
              + " x "
              + b.shapeInfoToString()
              + " -> "
              + c.shapeInfoToString());
    }
    DataType type = c.dataType();
    direct =
        (type == DataType.FLOAT || type == DataType.DOUBLE)
            && a.dataType() == type
            && b.dataType() == type
            && rowMajor(a)
            && rowMajor(b)
            && rowMajor(c);
    if (direct) {
      lda = leading(a);
      ldb = leading(b);
      ldc = leading(c);
      pa = address(a);
      pb = address(b);
      pc = address(c);
    } else {
      lda = 0;
      ldb = 0;
      ldc = 0;
      pa = null;
      pb = null;
      pc = null;
    }
  }

  /** Prepares {@code c = alpha op(a) op(b) + beta c}; op transposes when asked. */
  static Gemm of(
      INDArray a,
      INDArray b,
      INDArray c,
      boolean transA,
      boolean transB,
      double alpha,
      double beta) {
    return new Gemm(a, b, c, transA, transB, alpha, beta);
  }

  /** Runs the product. */
  void run() {
    if (!direct) {
      Nd4j.gemm(a, b, c, transA, transB, alpha, beta);
      return;
    }
    int ta = transA ? openblas_nolapack.CblasTrans : openblas_nolapack.CblasNoTrans;
    int tb = transB ? openblas_nolapack.CblasTrans : openblas_nolapack.CblasNoTrans;
    if (pc instanceof FloatPointer fc) {
      openblas_nolapack.cblas_sgemm(
          openblas_nolapack.CblasRowMajor,
          ta,
          tb,
          m,
          n,
          k,
          (float) alpha,
          (FloatPointer) pa,
          lda,
          (FloatPointer) pb,
          ldb,
          (float) beta,
          fc,
          ldc);
    } else {
      openblas_nolapack.cblas_dgemm(
          openblas_nolapack.CblasRowMajor,
          ta,
          tb,
          m,
          n,
          k,
          alpha,
          (DoublePointer) pa,
          lda,
          (DoublePointer) pb,
          ldb,
          beta,
          (DoublePointer) pc,
          ldc);
    }
  }

  /** Whether this product runs as a direct BLAS call (for tests). */
  boolean direct() {
    return direct;
  }

  private static boolean rowMajor(INDArray x) {
    if (x.rank() != 2 || x.isEmpty()) {
      return false;
    }
    long[] stride = x.stride();
    return (x.size(1) == 1 || stride[1] == 1) && (x.size(0) == 1 || stride[0] >= x.size(1));
  }

  /** The row stride BLAS needs: at least the row length, and at least 1. */
  private static int leading(INDArray x) {
    long ld = x.size(0) == 1 ? x.size(1) : x.stride(0);
    return Math.toIntExact(Math.max(1, Math.max(ld, x.size(1))));
  }

  /**
   * The address of the array's first element. In ND4J 1.0.0-M2.1 a view's data buffer is itself a
   * view that starts at the view's first element ({@code INDArray.offset()} is that buffer's offset
   * into its parent), so the buffer's address is the array's.
   */
  private static Pointer address(INDArray x) {
    Pointer base = x.data().addressPointer();
    return x.dataType() == DataType.FLOAT ? new FloatPointer(base) : new DoublePointer(base);
  }
}
