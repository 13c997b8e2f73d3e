package dev.cramjet.train;

import ai.djl.Device;
import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import ai.djl.pytorch.engine.PtNDArray;
import ai.djl.pytorch.jni.IValue;
import ai.djl.pytorch.jni.JniUtils;
import dev.cramjet.jit.AdamWProgram;
import dev.cramjet.jit.ScriptArgs;
import dev.cramjet.jit.ScriptModule;
import dev.cramjet.util.BadInputException;
import java.util.ArrayList;
import java.util.Collection;
import java.util.List;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * AdamW with torch.optim.AdamW semantics, and global-norm gradient clipping, as one native call per step; state keyed
 * by parameter name so it can be saved and restored exactly.
 *
 * <p>Per parameter p with gradient g, at step s (1-based), learning rate lr:
 *
 * <pre>
 *   g  *= min(1, maxNorm / (|all gradients|_2 + 1e-6))   (clipping, as torch.nn.utils.clip_grad_norm_)
 *   p  -= lr * wd * p                  (decoupled decay, only where {@link #decays} holds)
 *   m   = beta1 * m + (1 - beta1) * g
 *   v   = beta2 * v + (1 - beta2) * g^2
 *   p  -= lr / (1 - beta1^s) * m / (sqrt(v) / sqrt(1 - beta2^s) + eps)
 * </pre>
 *
 * <p>The step runs as the TorchScript program of {@link AdamWProgram}: libtorch's multi-tensor norm and scale for the
 * clipping and its fused AdamW kernel for the update, so a step costs one JNI call and one pass over parameters,
 * gradients and moments, whatever the number of parameters. It never reads anything back to the host: a step whose
 * gradient norm (or whose summed loss, in the stats tensor) is not finite is skipped on the device, and the gradients
 * are zeroed either way. The caller reads the outcome from the stats tensor when it wants it, once per step.
 *
 * <p>With fp16 training the optimizer also owns the dynamic loss scale ({@link #lossScale()}): gradients arrive
 * multiplied by it and are divided by it before clipping; a skipped step halves it and 2000 clean steps double it, as
 * torch's GradScaler does.
 *
 * <p>What it does not do: schedule the learning rate (the caller passes it), or handle parameters that are not
 * float32. Not thread-safe: use it on the one DJL thread.
 */
public final class AdamW implements AutoCloseable {
  /** Entry of the fp16 loss scale in {@link #exportState()} (only with dynamic loss scaling). */
  public static final String LOSS_SCALE = "amp.loss_scale";
  /** Entry of the clean-step count since the loss scale last changed (only with dynamic loss scaling). */
  public static final String GROWTH_TRACKER = "amp.growth_tracker";
  /** Suffix of a parameter's first-moment entry in {@link #exportState()}. */
  public static final String EXP_AVG = ".exp_avg";
  /** Suffix of a parameter's second-moment entry in {@link #exportState()}. */
  public static final String EXP_AVG_SQ = ".exp_avg_sq";
  /** Slots of the stats tensor (float32, {@link #STATS_SIZE} values) that a step reads and writes. */
  public static final int STAT_LOSS = 0;
  public static final int STAT_CORRECT = 1;
  public static final int STAT_GRAD_NORM = 2;
  public static final int STAT_SKIPPED = 3;
  public static final int STAT_LOSS_SCALE = 4;
  public static final int STATS_SIZE = 5;
  /** The fp16 loss scale a run starts from (torch's GradScaler default, 2^16). */
  public static final double INITIAL_LOSS_SCALE = 65536.0;

  private final AdamWConfig config;
  private final NDManager stateManager;
  // Registered parameter names in training order, with their shapes and moments.
  private final Map<String, Shape> shapes = new LinkedHashMap<>();
  private final Map<String, NDArray> expAvg = new LinkedHashMap<>();
  private final Map<String, NDArray> expAvgSq = new LinkedHashMap<>();
  private final boolean dynamicScale;
  private final NDArray count; // () float32: steps taken, as the fused kernel reads it
  private final NDArray scale; // () float32: the loss scale, 1 unless fp16
  private final NDArray growth; // () float32: clean steps since the scale last changed
  private final NDArray ownStats; // for clipAndStep
  private final ScriptModule program;
  private final IValue[] groups; // pd, md, vd, pn, mn, vn

  /** An optimizer without loss scaling (fp32 and bf16 training, fine-tuning). */
  public AdamW(AdamWConfig config, Map<String, NDArray> params, NDManager manager) {
    this(config, params, manager, false);
  }

  /**
   * Registers {@code params} (names and shapes), allocates zero moments for each on its device, and compiles the step.
   *
   * @param config hyper-parameters; its lr is informational, the step takes the scheduled lr
   * @param params the trainable parameters in a stable order, float32
   * @param manager parent of the optimizer's own manager, which holds the moments
   * @param dynamicLossScale whether gradients are scaled by a dynamic fp16 loss scale ({@link #lossScale()})
   */
  public AdamW(AdamWConfig config, Map<String, NDArray> params, NDManager manager, boolean dynamicLossScale) {
    if (params.isEmpty()) {
      throw new IllegalArgumentException("AdamW needs at least one parameter");
    }
    this.config = config;
    this.dynamicScale = dynamicLossScale;
    this.stateManager = manager.newSubManager();
    List<NDArray> pd = new ArrayList<>();
    List<NDArray> md = new ArrayList<>();
    List<NDArray> vd = new ArrayList<>();
    List<NDArray> pn = new ArrayList<>();
    List<NDArray> mn = new ArrayList<>();
    List<NDArray> vn = new ArrayList<>();
    Device device = null;
    for (Map.Entry<String, NDArray> e : params.entrySet()) {
      NDArray p = e.getValue();
      if (p.getDataType() != DataType.FLOAT32) {
        throw new IllegalArgumentException("parameter " + e.getKey() + " is " + p.getDataType() + ", AdamW needs float32");
      }
      device = p.getDevice();
      NDArray m = stateManager.zeros(p.getShape(), DataType.FLOAT32, p.getDevice());
      NDArray v = stateManager.zeros(p.getShape(), DataType.FLOAT32, p.getDevice());
      shapes.put(e.getKey(), p.getShape());
      expAvg.put(e.getKey(), m);
      expAvgSq.put(e.getKey(), v);
      boolean decay = decays(e.getKey(), p);
      (decay ? pd : pn).add(p);
      (decay ? md : mn).add(m);
      (decay ? vd : vn).add(v);
    }
    this.count = stateManager.zeros(new Shape(), DataType.FLOAT32, device);
    this.scale = stateManager.full(new Shape(), dynamicLossScale ? (float) INITIAL_LOSS_SCALE : 1f, DataType.FLOAT32,
        device);
    this.growth = stateManager.zeros(new Shape(), DataType.FLOAT32, device);
    this.ownStats = stateManager.zeros(new Shape(STATS_SIZE), DataType.FLOAT32, device);
    this.program = ScriptModule.compile(stateManager, AdamWProgram.CLASS_NAME, AdamWProgram.source(config.beta1(),
        config.beta2(), config.eps(), config.weightDecay(), dynamicLossScale));
    giveZeroGradients(params.values());
    this.groups = new IValue[] {ScriptArgs.list(pd), ScriptArgs.list(md), ScriptArgs.list(vd), ScriptArgs.list(pn),
        ScriptArgs.list(mn), ScriptArgs.list(vn)};
  }

  /**
   * Gives every parameter that has no gradient yet a zero one, through a backward pass of {@code sum(0 * p)}: the step
   * program reads each gradient, and libtorch hands an undefined one to TorchScript as a tensor of no type.
   */
  private static void giveZeroGradients(Collection<NDArray> params) {
    List<NDArray> missing = new ArrayList<>();
    for (NDArray p : params) {
      // DJL's getGradient() makes up a detached zero array when there is none; ask libtorch directly.
      PtNDArray g = JniUtils.getGradient((PtNDArray) p);
      if (g == null) {
        missing.add(p);
      } else {
        g.close();
      }
    }
    if (missing.isEmpty()) {
      return;
    }
    try (NDManager tmp = missing.get(0).getManager().newSubManager();
        GradientLock.Scope gc = GradientLock.open()) {
      NDArray zero = tmp.zeros(new Shape(), DataType.FLOAT32, missing.get(0).getDevice());
      NDArray loss = null;
      for (NDArray p : missing) {
        NDArray term = p.mul(zero).sum();
        term.attach(tmp);
        loss = loss == null ? term : loss.add(term);
      }
      gc.backward(loss);
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

  public AdamWConfig config() {
    return config;
  }

  /**
   * Optimizer steps taken (or restored); the next step's bias correction uses {@code stepCount() + 1}. Reads the
   * device's counter (a host synchronisation): call it when writing a checkpoint, not every step.
   */
  public long stepCount() {
    return (long) count.getFloat();
  }

  /** The loss scale (a 0-d float32 on the device): 1 without fp16 loss scaling. Read-only for callers. */
  public NDArray lossScale() {
    return scale;
  }

  public boolean dynamicLossScale() {
    return dynamicScale;
  }

  /**
   * One step at learning rate {@code lr} (the scheduled rate, not the base rate) on the gradients accumulated in the
   * registered parameters, all on the device with no host synchronisation. {@code stats} (float32, {@link
   * #STATS_SIZE} values on the parameters' device) must hold the summed loss in slot {@link #STAT_LOSS}; the step
   * writes the gradient norm before clipping ({@link #STAT_GRAD_NORM}, after unscaling), 1 or 0 for skipped ({@link
   * #STAT_SKIPPED}) and the loss scale the gradients carried ({@link #STAT_LOSS_SCALE}). Gradients are zero afterwards.
   * A parameter that got no gradient counts as a zero gradient: it still decays and its moments still shrink, as torch
   * does for a zero (not None) gradient.
   *
   * @param maxNorm global L2 norm to clip to; 0 or less means no clipping
   */
  public void step(double lr, double maxNorm, NDArray stats) {
    if (!(lr >= 0) || Double.isInfinite(lr)) {
      throw new IllegalArgumentException("learning rate must be finite and >= 0, got " + lr);
    }
    if (Double.isNaN(maxNorm) || Double.isInfinite(maxNorm)) {
      throw new IllegalArgumentException("maxNorm must be finite (0 or less: no clipping), got " + maxNorm);
    }
    try (IValue c = ScriptArgs.tensor(count);
        IValue st = ScriptArgs.tensor(stats);
        IValue sc = ScriptArgs.tensor(scale);
        IValue gr = ScriptArgs.tensor(growth);
        IValue l = IValue.from(lr);
        IValue mx = IValue.from(maxNorm);
        IValue out = program.call("step", groups[0], groups[1], groups[2], groups[3], groups[4], groups[5], c, st, sc,
            gr, l, mx)) {
      // the result is the list of (zeroed) gradients; nothing to read
    }
  }

  /**
   * {@link #step} for callers that have the loss on the host (fine-tuning, tests): skips when {@code loss} or the
   * gradient norm is not finite, and reads the outcome back (one host synchronisation).
   */
  public Outcome clipAndStep(double lr, double maxNorm, double loss) {
    ownStats.set(new float[] {(float) loss, 0, 0, 0, 0});
    step(lr, maxNorm, ownStats);
    float[] s = ownStats.toFloatArray();
    return new Outcome(s[STAT_GRAD_NORM], s[STAT_SKIPPED] != 0);
  }

  /** What {@link #clipAndStep} did: the gradient norm before clipping, and whether the update was skipped. */
  public record Outcome(double gradNorm, boolean skipped) {}

  /**
   * The moments by name ({@code name + EXP_AVG}, {@code name + EXP_AVG_SQ}), in parameter order, then with fp16 loss
   * scaling the scale and its growth tracker ({@link #LOSS_SCALE}, {@link #GROWTH_TRACKER}, 0-d float32). These
   * are the live arrays: read them (e.g. {@code toFloatArray()}) on the DJL thread; do not close or modify them.
   */
  public Map<String, NDArray> exportState() {
    Map<String, NDArray> state = new LinkedHashMap<>();
    for (String name : shapes.keySet()) {
      state.put(name + EXP_AVG, expAvg.get(name));
      state.put(name + EXP_AVG_SQ, expAvgSq.get(name));
    }
    if (dynamicScale) {
      state.put(LOSS_SCALE, scale);
      state.put(GROWTH_TRACKER, growth);
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
      Shape expected = isAmp(e.getKey()) ? new Shape() : shapes.get(parameterOf(e.getKey()));
      NDArray a = e.getValue();
      if (!a.getShape().equals(expected) || a.getDataType() != DataType.FLOAT32) {
        throw new BadInputException("optimizer state " + e.getKey() + " is " + a.getDataType() + " " + a.getShape()
            + ", expected float32 " + expected);
      }
    }
    for (Map.Entry<String, NDArray> e : state.entrySet()) {
      if (isAmp(e.getKey())) {
        restoreAmp(e.getKey(), e.getValue().getFloat());
      } else {
        e.getValue().copyTo(moment(e.getKey()));
      }
    }
    setCount(stepCount);
  }

  /**
   * Restores moments and step count from flat row-major float arrays, e.g. read from a checkpoint. Validated like
   * {@link #importState(Map, long)}: sizes must match the registered shapes.
   */
  public void importStateArrays(Map<String, float[]> state, long stepCount) {
    validateKeys(state.keySet(), stepCount);
    for (Map.Entry<String, float[]> e : state.entrySet()) {
      Shape expected = isAmp(e.getKey()) ? new Shape() : shapes.get(parameterOf(e.getKey()));
      if (e.getValue().length != expected.size()) {
        throw new BadInputException("optimizer state " + e.getKey() + " has " + e.getValue().length
            + " values, expected " + expected.size() + " for shape " + expected);
      }
    }
    for (Map.Entry<String, float[]> e : state.entrySet()) {
      if (isAmp(e.getKey())) {
        restoreAmp(e.getKey(), e.getValue()[0]);
      } else {
        moment(e.getKey()).set(e.getValue());
      }
    }
    setCount(stepCount);
  }

  /** Frees the moments and the compiled step. */
  @Override
  public void close() {
    for (IValue g : groups) {
      g.close();
    }
    program.close();
    stateManager.close();
  }

  /**
   * The loss-scale entries are optional both ways: a run without loss scaling ignores them, and one with it starts
   * from the initial scale when a checkpoint has none.
   */
  private static boolean isAmp(String key) {
    return key.equals(LOSS_SCALE) || key.equals(GROWTH_TRACKER);
  }

  private void restoreAmp(String key, float value) {
    if (!dynamicScale) {
      return;
    }
    if (!(value >= 0) || Float.isInfinite(value) || (key.equals(LOSS_SCALE) && value == 0)) {
      throw new BadInputException("optimizer state " + key + " is " + value + ", expected a finite positive number");
    }
    (key.equals(LOSS_SCALE) ? scale : growth).set(new float[] {value});
  }

  private void setCount(long stepCount) {
    if (stepCount > (1L << 24)) {
      throw new BadInputException("optimizer step count " + stepCount + " is beyond what the fused kernel counts"
          + " exactly (2^24)");
    }
    count.set(new float[] {stepCount});
  }

  private void validateKeys(Collection<String> keys, long stepCount) {
    if (stepCount < 0) {
      throw new BadInputException("optimizer step count must be >= 0, got " + stepCount);
    }
    for (String key : keys) {
      if (parameterOf(key) == null && !isAmp(key)) {
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
