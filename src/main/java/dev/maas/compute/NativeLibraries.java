package dev.maas.compute;

import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;

/**
 * Loads ND4J's native libraries and exits: run once when the Docker image is built
 * (docker/prepare-jar.sh, with {@code -Dorg.bytedeco.javacpp.cachedir}) so that JavaCPP unpacks
 * every library a server uses into the image, where each container then reads them in place instead
 * of unpacking them again. It runs what training and serving call first: the backend, a BLAS matrix
 * product and an element-wise op.
 */
public final class NativeLibraries {
  private NativeLibraries() {}

  public static void main(String[] args) {
    INDArray a = Nd4j.rand(8, 8);
    INDArray product = a.mmul(a).addi(1.0);
    System.out.println(
        "native libraries loaded: "
            + Nd4j.getBackend().getClass().getSimpleName()
            + ", "
            + product.length()
            + " values");
  }
}
