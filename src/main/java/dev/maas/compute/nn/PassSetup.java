package dev.maas.compute.nn;

import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.rng.Random;

/**
 * What a layer needs to know to allocate a pass.
 *
 * @param batch number of examples in each call
 * @param training whether the pass keeps what backward needs and applies dropout
 * @param dataType the network's floating-point type
 * @param random ND4J's seeded generator for dropout masks; null when not training
 */
public record PassSetup(int batch, boolean training, DataType dataType, Random random) {}
