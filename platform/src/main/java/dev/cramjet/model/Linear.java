package dev.cramjet.model;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.types.Shape;

/** {@code y = x W^T (+ b)} with W of shape (out, in), as in PyTorch; the bias is optional. */
final class Linear {
  final NDArray weight;
  final NDArray bias; // null when the architecture has no bias here

  Linear(Params p, String name, int in, int out, boolean bias, double std) {
    this.weight = p.normal(name + ".weight", new Shape(out, in), std);
    this.bias = bias ? p.constant(name + ".bias", new Shape(out), 0) : null;
  }

  NDArray forward(NDArray x) {
    return bias == null
        ? ai.djl.nn.core.Linear.linear(x, weight).singletonOrThrow()
        : ai.djl.nn.core.Linear.linear(x, weight, bias).singletonOrThrow();
  }
}
