package dev.cramjet.train;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import ai.djl.pytorch.jni.IValue;
import dev.cramjet.checkpoint.CheckpointState;
import dev.cramjet.checkpoint.Snapshot;
import dev.cramjet.checkpoint.Tensors;
import dev.cramjet.config.TrainConfig;
import dev.cramjet.model.ArchConfig;
import dev.cramjet.model.CrammedBert;
import dev.cramjet.jit.AdamWProgram;
import dev.cramjet.jit.MlmProgram;
import dev.cramjet.jit.ScriptArgs;
import dev.cramjet.jit.ScriptModule;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/**
 * The model and its optimizer, and the optimizer step: forward and backward over each micro-batch (gradients
 * accumulate), global-norm clipping, then AdamW. It knows nothing about data, schedules or budgets: callers hand it
 * masked micro-batches and a learning rate. Not thread-safe; all calls on the one DJL thread.
 *
 * <p>The step runs as two compiled TorchScript programs ({@link MlmProgram} for each micro-batch's forward, loss and
 * backward; {@link AdamWProgram} through {@link AdamW} for clipping and the update). A micro-batch is one native call,
 * the update another, and the numbers the logs need (loss, correct predictions, gradient norm, skipped) are
 * accumulated on the device and read back once per optimizer step. All micro-batches of a step are copied to the
 * device before the first forward pass. {@link CrammedBert} holds the parameters and stays the readable reference of
 * the forward pass; tests hold the program's loss and gradients to it.
 */
public final class MlmTrainer implements AutoCloseable {
  private final NDManager manager;
  private final CrammedBert model;
  private final AdamW optimizer;
  private final TrainConfig config;
  private final MlmProgram.Precision precision;
  private final ScriptModule program;
  private final IValue paramsArg;
  private final IValue buffersArg;
  private final NDArray stats;

  /**
   * @throws dev.cramjet.util.BadInputException when {@code config.precision()} would be emulated on the manager's
   *     device ({@link Hardware#resolve})
   */
  public MlmTrainer(ArchConfig arch, TrainConfig config, NDManager parent) {
    this.config = config;
    this.precision = Hardware.resolve(config.precision(), parent.getDevice());
    this.manager = parent.newSubManager();
    this.model = new CrammedBert(arch, manager, config.seed());
    this.optimizer = new AdamW(
        new AdamWConfig(config.lr(), config.beta1(), config.beta2(), config.eps(), config.weightDecay()),
        model.params().all(), manager, precision == MlmProgram.Precision.FP16);
    Map<String, NDArray> params = model.params().all();
    Map<String, NDArray> buffers = model.buffers();
    MlmProgram source = new MlmProgram(arch, precision, List.copyOf(params.keySet()), List.copyOf(buffers.keySet()),
        MlmProgram.fusedAttentionFor(precision, parent.getDevice().isGpu()));
    this.program = ScriptModule.compile(manager, MlmProgram.CLASS_NAME, source.source());
    this.paramsArg = ScriptArgs.list(params.values());
    this.buffersArg = ScriptArgs.list(buffers.values());
    this.stats = manager.zeros(new Shape(AdamW.STATS_SIZE), DataType.FLOAT32);
  }

  public CrammedBert model() {
    return model;
  }

  public AdamW optimizer() {
    return optimizer;
  }

  /** The precision this trainer runs in, after {@code auto} was resolved for the device. */
  public MlmProgram.Precision precision() {
    return precision;
  }

  /**
   * One optimizer step over {@code microBatches} at learning rate {@code lr}. The loss of each micro-batch is divided
   * by their number, so the accumulated gradient is that of the mean loss over the whole batch. A non-finite loss or
   * gradient norm skips the update (gradients are cleared) and is reported in the result; with fp16 a step whose
   * scaled gradients overflowed is skipped too, halves the loss scale, and is reported as an overflow.
   */
  public StepResult step(List<MaskedBatch> microBatches, double lr) {
    if (microBatches.isEmpty()) {
      throw new IllegalArgumentException("a step needs at least one micro-batch");
    }
    int n = microBatches.size();
    long predicted = 0;
    int rows = 0;
    try (NDManager scope = manager.newSubManager()) {
      // Every micro-batch on the device first: the copies do not wait between forward passes.
      List<IValue[]> staged = new ArrayList<>(n);
      for (MaskedBatch b : microBatches) {
        staged.add(new IValue[] {
            ScriptArgs.tensor(scope.create(CrammedBert.toLong(b.inputIds()), new Shape(b.rows(), b.seqLen()))),
            ScriptArgs.tensor(scope.create(CrammedBert.toLong(b.maskedPositions()))),
            ScriptArgs.tensor(scope.create(CrammedBert.toLong(b.labels())))});
        predicted += b.labels().length;
        rows += b.rows();
      }
      stats.set(new float[AdamW.STATS_SIZE]); // zeros, without a temporary array
      try (IValue weight = IValue.from(1.0 / n);
          IValue scale = ScriptArgs.tensor(optimizer.lossScale());
          IValue statsArg = ScriptArgs.tensor(stats)) {
        for (IValue[] b : staged) {
          // The program runs the backward pass itself; the collector switches libtorch's grad mode on for this thread.
          // It is opened through the process-wide gate, so an evaluation fine-tuning meanwhile takes turns.
          try (GradientLock.Scope gc = GradientLock.open();
              IValue out = program.call("micro_step", paramsArg, buffersArg, b[0], b[1], b[2], weight, scale,
                  statsArg)) {
            // micro_step returns None
          } finally {
            for (IValue v : b) {
              v.close();
            }
          }
        }
      }
      // clip-norm 0 means no clipping; the norm is still measured for the logs.
      optimizer.step(lr, config.clipNorm(), stats);
    }
    float[] s = stats.toFloatArray(); // the step's one host synchronisation
    double loss = s[AdamW.STAT_LOSS] / n;
    boolean skipped = s[AdamW.STAT_SKIPPED] != 0;
    boolean overflow = skipped && optimizer.dynamicLossScale() && Double.isFinite(loss);
    return new StepResult(loss, predicted == 0 ? 0 : s[AdamW.STAT_CORRECT] / predicted, s[AdamW.STAT_GRAD_NORM], rows,
        skipped, overflow, s[AdamW.STAT_LOSS_SCALE]);
  }

  /** Host copies of parameters and optimizer moments, with {@code state} describing the rest. */
  public Snapshot snapshot(CheckpointState state) {
    return new Snapshot(state, Tensors.toHost(model.params().all()), Tensors.toHost(optimizer.exportState()));
  }

  /** Loads parameters and optimizer state from {@code s}; {@code what} names the source in errors. */
  public void restore(Snapshot s, String what) {
    Tensors.copyInto(model.params().all(), s.params(), what + "/model.safetensors");
    java.util.Map<String, float[]> moments = new java.util.LinkedHashMap<>();
    s.optimizer().forEach((k, v) -> moments.put(k, v.toFloats()));
    optimizer.importStateArrays(moments, s.state().step());
  }

  @Override
  public void close() {
    paramsArg.close();
    buffersArg.close();
    program.close();
    optimizer.close();
    model.close();
    manager.close();
  }

  /**
   * @param loss mean MLM loss over the micro-batches (before the update)
   * @param accuracy share of masked tokens predicted right
   * @param gradNorm global gradient L2 norm before clipping (unscaled)
   * @param rows rows in the batch
   * @param skipped true when the loss or gradient was not finite and no update was made
   * @param overflow true when the step was skipped only because fp16 gradients overflowed at the current loss scale:
   *     the scale was halved, and the step is not a sign of divergence
   * @param lossScale the loss scale the step's gradients carried (1 without fp16)
   */
  public record StepResult(double loss, double accuracy, double gradNorm, int rows, boolean skipped, boolean overflow,
      double lossScale) {
    /** A skipped step that is not a mere fp16 overflow: it counts towards the roll-back policy. */
    public boolean bad() {
      return skipped && !overflow;
    }
  }
}
