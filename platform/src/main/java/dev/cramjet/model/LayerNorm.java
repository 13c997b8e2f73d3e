package dev.cramjet.model;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.types.Shape;

/** LayerNorm over the last axis with a learned scale (init 1) and shift (init 0). */
final class LayerNorm {
  final NDArray weight;
  final NDArray bias;
  private final float eps;
  private final Shape normalized;

  LayerNorm(Params p, String name, int size, double eps) {
    this.weight = p.constant(name + ".weight", new Shape(size), 1);
    this.bias = p.constant(name + ".bias", new Shape(size), 0);
    this.eps = (float) eps;
    this.normalized = new Shape(size);
  }

  NDArray forward(NDArray x) {
    return ai.djl.nn.norm.LayerNorm.layerNorm(x, normalized, weight, bias, eps).singletonOrThrow();
  }
}
