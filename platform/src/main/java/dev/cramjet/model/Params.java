package dev.cramjet.model;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.SplittableRandom;

/**
 * The named parameters of a model, in creation order, all owned by one manager. Names are hierarchical and stable
 * ({@code encoder.layer.3.attention.qkv.weight}): checkpoints, export and optimizer state are keyed by them.
 *
 * <p>Initialisation is done in Java from a per-parameter seed derived from the run seed and the name, so it does
 * not depend on creation order or on the engine's RNG.
 */
public final class Params implements AutoCloseable {
  private final NDManager manager;
  private final DataType dtype;
  private final long seed;
  private final Map<String, NDArray> byName = new LinkedHashMap<>();

  public Params(NDManager manager, DataType dtype, long seed) {
    this.manager = manager;
    this.dtype = dtype;
    this.seed = seed;
  }

  /** Normal(0, std) init; rows listed in {@code zeroRows} (the pad embedding) are zero. */
  public NDArray normal(String name, Shape shape, double std, int... zeroRows) {
    SplittableRandom rng = new SplittableRandom(seed ^ (name.hashCode() * 0x9E3779B97F4A7C15L));
    double[] v = new double[Math.toIntExact(shape.size())];
    for (int i = 0; i < v.length; i++) {
      v[i] = rng.nextGaussian() * std;
    }
    long rowLen = shape.dimension() > 1 ? shape.size() / shape.get(0) : 1;
    for (int row : zeroRows) {
      java.util.Arrays.fill(v, (int) (row * rowLen), (int) ((row + 1) * rowLen), 0.0);
    }
    return add(name, manager.create(v, shape).toType(dtype, false));
  }

  public NDArray constant(String name, Shape shape, double value) {
    return add(name, manager.full(shape, (float) value, dtype));
  }

  private NDArray add(String name, NDArray array) {
    if (byName.containsKey(name)) {
      throw new IllegalStateException("duplicate parameter " + name);
    }
    array.setName(name.replace('.', '_'));
    array.setRequiresGradient(true);
    byName.put(name, array);
    return array;
  }

  /** Parameters by name, in creation order (read-only view). */
  public Map<String, NDArray> all() {
    return Collections.unmodifiableMap(byName);
  }

  public NDArray get(String name) {
    NDArray a = byName.get(name);
    if (a == null) {
      throw new IllegalArgumentException("no parameter " + name);
    }
    return a;
  }

  /** Total number of scalar parameters. */
  public long count() {
    return byName.values().stream().mapToLong(a -> a.getShape().size()).sum();
  }

  public NDManager manager() {
    return manager;
  }

  public DataType dtype() {
    return dtype;
  }

  @Override
  public void close() {
    manager.close();
  }
}
