package dev.cramjet.train;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.index.NDIndex;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import dev.cramjet.util.BadInputException;
import java.util.Collection;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * AdamW with torch.optim.AdamW semantics, state keyed by parameter name so it can be saved and restored exactly.
 *
 * <p>Per parameter p with gradient g, at step s (1-based), learning rate lr:
 *
 * <pre>
 *   p  -= lr * wd * p                  (decoupled decay, only where {@link #decays} holds)
 *   m   = beta1 * m + (1 - beta1) * g
 *   v   = beta2 * v + (1 - beta2) * g^2
 *   p  -= lr / (1 - beta1^s) * m / (sqrt(v) / sqrt(1 - beta2^s) + eps)
 * </pre>
 *
 * <p>Everything is computed in float32 on the parameters' device and in place, using each gradient as scratch space
 * (it is zeroed at the end of the step anyway), so a step allocates no parameter-sized memory. Scalar operands live in
 * a sub-manager closed at the end of the step, so the open-array count stays flat. The moments live in this
 * optimizer's own manager; {@link #close()} frees them.
 *
 * <p>What it does not do: check gradients for NaN/Inf (clip first with {@link GradClip} and skip the step when the
 * norm is not finite, then call {@link #zeroGradients}), schedule the learning rate (the caller passes it), or handle
 * parameters that are not float32. Not thread-safe: use it on the one DJL thread.
 */
public final class AdamW implements AutoCloseable {
  /** Suffix of a parameter's first-moment entry in {@link #exportState()}. */
  public static final String EXP_AVG = ".exp_avg";
  /** Suffix of a parameter's second-moment entry in {@link #exportState()}. */
  public static final String EXP_AVG_SQ = ".exp_avg_sq";

  private final AdamWConfig config;
  private final NDManager stateManager;
  // Registered parameter names in training order, with their shapes and moments.
  private final Map<String, Shape> shapes = new LinkedHashMap<>();
  private final Map<String, NDArray> expAvg = new LinkedHashMap<>();
  private final Map<String, NDArray> expAvgSq = new LinkedHashMap<>();
  private long step;

  /**
   * Registers {@code params} (names and shapes) and allocates zero moments for each on its device.
   *
   * @param config hyper-parameters; its lr is informational, {@link #step} takes the scheduled lr
   * @param params the trainable parameters in a stable order, float32
   * @param manager parent of the optimizer's own manager, which holds the moments
   */
  public AdamW(AdamWConfig config, Map<String, NDArray> params, NDManager manager) {
    if (params.isEmpty()) {
      throw new IllegalArgumentException("AdamW needs at least one parameter");
    }
    this.config = config;
    this.stateManager = manager.newSubManager();
    for (Map.Entry<String, NDArray> e : params.entrySet()) {
      NDArray p = e.getValue();
      if (p.getDataType() != DataType.FLOAT32) {
        throw new IllegalArgumentException("parameter " + e.getKey() + " is " + p.getDataType() + ", AdamW needs float32");
      }
      shapes.put(e.getKey(), p.getShape());
      expAvg.put(e.getKey(), stateManager.zeros(p.getShape(), DataType.FLOAT32, p.getDevice()));
      expAvgSq.put(e.getKey(), stateManager.zeros(p.getShape(), DataType.FLOAT32, p.getDevice()));
    }
  }

  /**
   * The weight-decay rule: matrices and embeddings (2 or more dimensions) decay; biases, LayerNorm weights and
   * 0/1-dimensional scalars (such as the positional scale) do not. A parameter named {@code *.bias} never decays, even
   * if it were 2-D.
   */
  public static boolean decays(String name, NDArray p) {
    return p.getShape().dimension() >= 2 && !name.endsWith(".bias");
  }

  /**
   * Overwrites every parameter's gradient with zeros and closes the gradient handles. It assigns rather than
   * multiplies: {@code g * 0} and {@code g - g} keep NaN and Inf, and one bad micro-batch would poison later steps.
   */
  public static void zeroGradients(Collection<NDArray> params) {
    for (NDArray p : params) {
      try (NDArray g = p.getGradient()) {
        g.set(new NDIndex("..."), 0f);
      }
    }
  }

  public AdamWConfig config() {
    return config;
  }

  /** Optimizer steps taken (or restored); the next step's bias correction uses {@code stepCount() + 1}. */
  public long stepCount() {
    return step;
  }

  /**
   * One AdamW step at learning rate {@code lr} (the scheduled rate, not the base rate): updates every parameter in
   * place from its accumulated gradient, then zeroes the gradients (they are used as scratch space meanwhile).
   * Gradients must be finite (see {@link GradClip}). Every registered parameter is stepped: one that got no gradient
   * has a zero gradient in DJL, so it still decays and its moments still shrink, as torch does for a zero (not None)
   * gradient.
   *
   * @param params exactly the parameters registered at construction, by name
   */
  public void step(Map<String, NDArray> params, double lr) {
    if (!(lr >= 0) || Double.isInfinite(lr)) {
      throw new IllegalArgumentException("learning rate must be finite and >= 0, got " + lr);
    }
    requireRegistered(params);
    step++;
    double beta1 = config.beta1();
    double beta2 = config.beta2();
    double biasCorrection1 = 1 - Math.pow(beta1, step);
    double biasCorrection2 = 1 - Math.pow(beta2, step);
    try (NDManager sub = stateManager.newSubManager()) {
      // Scalar operands as 0-d arrays in the step's manager (DJL-NOTES trap #1; also keeps them on the device).
      NDArray decayFactor = sub.create((float) (1 - lr * config.weightDecay()));
      NDArray b1 = sub.create((float) beta1);
      NDArray oneMinusB1 = sub.create((float) (1 - beta1));
      NDArray b2 = sub.create((float) beta2);
      // (1 - beta1)^2 g^2 times this is (1 - beta2) g^2: see the second-moment update below.
      NDArray squareRescale = sub.create((float) ((1 - beta2) / ((1 - beta1) * (1 - beta1))));
      NDArray half = sub.create(0.5f);
      NDArray minusOne = sub.create(-1f);
      NDArray invSqrtBc2 = sub.create((float) (1 / Math.sqrt(biasCorrection2)));
      NDArray eps = sub.create((float) config.eps());
      NDArray stepSize = sub.create((float) (lr / biasCorrection1));

      for (Map.Entry<String, NDArray> e : params.entrySet()) {
        String name = e.getKey();
        NDArray p = e.getValue();
        NDArray m = expAvg.get(name);
        NDArray v = expAvgSq.get(name);
        NDArray g = p.getGradient(); // a new handle on p's gradient storage; the sub-manager closes the handle
        g.attach(sub);
        // Every op below is in place: the gradient is zeroed after the step anyway, so it serves as the scratch
        // buffer. Fresh parameter-sized temporaries cost more than the arithmetic on CPU (allocation, page faults).
        if (decays(name, p)) {
          p.muli(decayFactor);
        }
        g.muli(oneMinusB1); // g := (1 - b1) g
        m.muli(b1).addi(g); // m = b1 m + (1 - b1) g
        g.muli(g).muli(squareRescale); // g := (1 - b2) g^2
        v.muli(b2).addi(g); // v = b2 v + (1 - b2) g^2
        g.set(new NDIndex("..."), v); // g := v (an in-place copy)
        g.powi(half).muli(invSqrtBc2).addi(eps); // g := sqrt(v) / sqrt(1 - b2^s) + eps, the denominator
        g.powi(minusOne).muli(m).muli(stepSize); // g := lr / (1 - b1^s) * m / denominator
        p.subi(g);
        g.set(new NDIndex("..."), 0f);
      }
    }
  }

  /**
   * The moments by name ({@code name + EXP_AVG}, {@code name + EXP_AVG_SQ}), in parameter order. These are the live
   * arrays: read them (e.g. {@code toFloatArray()}) on the DJL thread; do not close or modify them.
   */
  public Map<String, NDArray> exportState() {
    Map<String, NDArray> state = new LinkedHashMap<>();
    for (String name : shapes.keySet()) {
      state.put(name + EXP_AVG, expAvg.get(name));
      state.put(name + EXP_AVG_SQ, expAvgSq.get(name));
    }
    return Collections.unmodifiableMap(state);
  }

  /**
   * Restores moments and step count from arrays (as {@link #exportState()} gives them). Every entry is checked before
   * anything is copied, so a bad state changes nothing.
   *
   * @throws BadInputException naming the entry that is missing, unexpected, mis-shaped or not float32
   */
  public void importState(Map<String, NDArray> state, long stepCount) {
    validateKeys(state.keySet(), stepCount);
    for (Map.Entry<String, NDArray> e : state.entrySet()) {
      Shape expected = shapes.get(parameterOf(e.getKey()));
      NDArray a = e.getValue();
      if (!a.getShape().equals(expected) || a.getDataType() != DataType.FLOAT32) {
        throw new BadInputException("optimizer state " + e.getKey() + " is " + a.getDataType() + " " + a.getShape()
            + ", expected float32 " + expected);
      }
    }
    for (Map.Entry<String, NDArray> e : state.entrySet()) {
      e.getValue().copyTo(moment(e.getKey()));
    }
    step = stepCount;
  }

  /**
   * Restores moments and step count from flat row-major float arrays, e.g. read from a checkpoint. Validated like
   * {@link #importState(Map, long)}: sizes must match the registered shapes.
   */
  public void importStateArrays(Map<String, float[]> state, long stepCount) {
    validateKeys(state.keySet(), stepCount);
    for (Map.Entry<String, float[]> e : state.entrySet()) {
      Shape expected = shapes.get(parameterOf(e.getKey()));
      if (e.getValue().length != expected.size()) {
        throw new BadInputException("optimizer state " + e.getKey() + " has " + e.getValue().length
            + " values, expected " + expected.size() + " for shape " + expected);
      }
    }
    for (Map.Entry<String, float[]> e : state.entrySet()) {
      moment(e.getKey()).set(e.getValue());
    }
    step = stepCount;
  }

  /** Frees the moments. */
  @Override
  public void close() {
    stateManager.close();
  }

  private void requireRegistered(Map<String, NDArray> params) {
    if (params.size() != shapes.size() || !params.keySet().containsAll(shapes.keySet())) {
      throw new IllegalArgumentException("step() got parameters " + params.keySet()
          + " but the optimizer was built for " + shapes.keySet());
    }
  }

  private void validateKeys(Collection<String> keys, long stepCount) {
    if (stepCount < 0) {
      throw new BadInputException("optimizer step count must be >= 0, got " + stepCount);
    }
    for (String key : keys) {
      if (parameterOf(key) == null) {
        throw new BadInputException("optimizer state has unexpected entry " + key
            + "; expected <parameter>" + EXP_AVG + " or <parameter>" + EXP_AVG_SQ + " for the model's parameters");
      }
    }
    for (String name : shapes.keySet()) {
      for (String suffix : new String[] {EXP_AVG, EXP_AVG_SQ}) {
        if (!keys.contains(name + suffix)) {
          throw new BadInputException("optimizer state is missing " + name + suffix + " for parameter " + name);
        }
      }
    }
  }

  /** The registered parameter an entry belongs to, or null. */
  private String parameterOf(String key) {
    // The longer suffix first, so that "x.exp_avg_sq" is never read as parameter "x.exp_avg_sq" minus ".exp_avg".
    if (key.endsWith(EXP_AVG_SQ)) {
      String name = key.substring(0, key.length() - EXP_AVG_SQ.length());
      return shapes.containsKey(name) ? name : null;
    }
    if (key.endsWith(EXP_AVG)) {
      String name = key.substring(0, key.length() - EXP_AVG.length());
      return shapes.containsKey(name) ? name : null;
    }
    return null;
  }

  private NDArray moment(String key) {
    return key.endsWith(EXP_AVG_SQ)
        ? expAvgSq.get(key.substring(0, key.length() - EXP_AVG_SQ.length()))
        : expAvg.get(key.substring(0, key.length() - EXP_AVG.length()));
  }
}
