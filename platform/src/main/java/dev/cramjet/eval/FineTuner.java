package dev.cramjet.eval;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.NDScope;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import dev.cramjet.budget.LrSchedule;
import dev.cramjet.checkpoint.SafeTensors.Tensor;
import dev.cramjet.checkpoint.Tensors;
import dev.cramjet.model.ArchConfig;
import dev.cramjet.model.CrammedBert;
import dev.cramjet.model.Fwd;
import dev.cramjet.text.TextEncoder;
import dev.cramjet.train.AdamW;
import dev.cramjet.train.AdamWConfig;
import dev.cramjet.train.GradientLock;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;

/**
 * Fine-tunes one task under one protocol and seed, then scores each of its dev sets: the encoder is rebuilt from the
 * same pretrained weights for every call (or left at its random init when there are none, the "no pretraining"
 * baseline), a fresh {@link ClassificationHead} is put on top, and encoder and head train together with a fresh AdamW
 * and the protocol's warmup-then-decay schedule over all steps. Classification uses cross-entropy, regression (one
 * output) the mean squared error. Dropout is on while training ({@link CrammedBert#forwardContext} with pretraining
 * false) and off while scoring.
 *
 * <p>Not thread-safe: call it on the one DJL thread. It holds no native memory between calls.
 */
public final class FineTuner {
  private final ArchConfig arch;
  private final Map<String, Tensor> pretrained; // null: random init
  private final FinetuneConfig config;
  private final PairEncoder encoder;
  private final int evalBatch;

  /** Receives progress; the CLI prints it. */
  public interface Listener {
    /** After each optimizer step: {@code done} of {@code total} examples of this epoch seen. */
    default void onBatch(String task, long seed, int epoch, int done, int total) {}

    default void onEpoch(String task, long seed, int epoch, int epochs, double meanLoss, double examplesPerSecond) {}
  }

  /** Per dev set (report name), metric to score; plus what training cost. */
  public record Result(String task, long seed, Map<String, Map<Metric, Double>> scores, int trainExamples, long steps,
      double trainSeconds, double examplesPerSecond, double finalLoss) {}

  /**
   * @param pretrained the encoder's parameters by name (a checkpoint's model tensors), or null for random init
   * @param evalBatch rows per scoring batch (no gradients, so it can be larger than the training batch)
   */
  public FineTuner(ArchConfig arch, Map<String, Tensor> pretrained, FinetuneConfig config, TextEncoder tokenizer,
      int evalBatch) {
    if (tokenizer.vocabSize() > arch.vocabSize()) {
      throw new dev.cramjet.util.BadInputException("the tokenizer has " + tokenizer.vocabSize()
          + " ids but the model's vocabulary is " + arch.vocabSize() + "; use the tokenizer the model was trained with");
    }
    this.arch = arch;
    this.pretrained = pretrained;
    this.config = config;
    // A model whose position table is shorter than the protocol's limit gets inputs cut to its own length.
    this.encoder = new PairEncoder(tokenizer, Math.min(config.maxSeqLen(), arch.maxSeqLen()));
    this.evalBatch = evalBatch;
  }

  public PairEncoder encoder() {
    return encoder;
  }

  /** Fine-tunes on {@code train}, scores every dev set of {@code dev} (report name to examples). */
  public Result run(TaskSpec task, List<Example> train, Map<String, List<Example>> dev, long seed, Listener listener) {
    if (train.isEmpty()) {
      throw new dev.cramjet.util.BadInputException("task " + task.name() + " has no training examples");
    }
    int[][] trainIds = encodeAll(train);
    LrSchedule schedule = LrSchedule.of(config.schedule(), config.warmup());
    int perEpoch = (train.size() + config.batchSize() - 1) / config.batchSize();
    long totalSteps = (long) perEpoch * config.epochs();
    try (NDManager manager = NDManager.newBaseManager();
        CrammedBert model = new CrammedBert(arch, manager, seed);
        ClassificationHead head = new ClassificationHead(manager, arch.hidden(), config.headWidth(), task.outputs(),
            arch.initStd(), seed ^ 0x5DEECE66DL)) {
      if (pretrained != null) {
        Tensors.copyInto(model.params().all(), pretrained, "pretrained weights");
      }
      Map<String, NDArray> trainable = new LinkedHashMap<>();
      // The MLM decoder's own parameters get no gradient here; leaving them out keeps the optimizer lean.
      model.params().all().forEach((k, v) -> {
        if (!k.startsWith("mlm.")) {
          trainable.put(k, v);
        }
      });
      trainable.putAll(head.params().all());
      try (AdamW optimizer = new AdamW(new AdamWConfig(config.lr(), config.beta1(), config.beta2(), config.eps(),
          config.weightDecay()), trainable, manager)) {
        long step = 0;
        long start = System.nanoTime();
        double lastEpochLoss = Double.NaN;
        for (int epoch = 1; epoch <= config.epochs(); epoch++) {
          long epochStart = System.nanoTime();
          int[] order = shuffled(train.size(), new SplittableRandom(seed * 31 + epoch));
          double lossSum = 0;
          int batches = 0;
          for (int from = 0; from < order.length; from += config.batchSize()) {
            int to = Math.min(order.length, from + config.batchSize());
            int[][] rows = new int[to - from][];
            float[] targets = new float[to - from];
            for (int i = from; i < to; i++) {
              rows[i - from] = trainIds[order[i]];
              Example e = train.get(order[i]);
              targets[i - from] = task.regression() ? (float) e.score() : e.label();
            }
            double lr = config.lr() * schedule.multiplier((double) step / totalSteps);
            lossSum += trainStep(model, head, task, PairEncoder.Batch.of(rows), targets, trainable, optimizer, lr);
            batches++;
            step++;
            listener.onBatch(task.name(), seed, epoch, to, order.length);
          }
          lastEpochLoss = lossSum / batches;
          double secs = (System.nanoTime() - epochStart) / 1e9;
          listener.onEpoch(task.name(), seed, epoch, config.epochs(), lastEpochLoss, train.size() / secs);
        }
        double trainSeconds = (System.nanoTime() - start) / 1e9;
        Map<String, Map<Metric, Double>> scores = new LinkedHashMap<>();
        for (Map.Entry<String, List<Example>> d : dev.entrySet()) {
          scores.put(d.getKey(), score(model, head, task, d.getValue()));
        }
        return new Result(task.name(), seed, scores, train.size(), step, trainSeconds,
            (double) train.size() * config.epochs() / trainSeconds, lastEpochLoss);
      }
    }
  }

  private double trainStep(CrammedBert model, ClassificationHead head, TaskSpec task, PairEncoder.Batch b,
      float[] targets, Map<String, NDArray> trainable, AdamW optimizer, double lr) {
    double loss;
    try (NDManager scope = model.params().manager().newSubManager();
        NDScope arrays = new NDScope()) {
      arrays.suppressNotUsedWarning();
      Fwd f = model.forwardContext(scope, false); // fine-tuning: dropout on
      // Through the process-wide gate: the daemon's trainer may be stepping on another thread (GradientLock).
      try (GradientLock.Scope gc = GradientLock.open()) {
        NDArray out = forward(model, head, b, f);
        NDArray l = loss(out, targets, task, scope);
        gc.backward(l);
        loss = l.getFloat();
      }
    }
    // Clipping and the update in one call; a non-finite loss or gradient skips the update, so one bad batch cannot
    // poison the weights.
    optimizer.clipAndStep(lr, config.clipNorm(), loss);
    return loss;
  }

  private static NDArray forward(CrammedBert model, ClassificationHead head, PairEncoder.Batch b, Fwd f) {
    NDManager s = f.scope();
    Shape shape = new Shape(b.rows(), b.seqLen());
    NDArray ids = s.create(b.ids(), shape);
    NDArray mask = s.create(b.mask(), shape);
    return head.forward(model.encode(ids, mask, f), f); // (B, C)
  }

  private static NDArray loss(NDArray out, float[] targets, TaskSpec task, NDManager s) {
    if (task.regression()) {
      NDArray gold = s.create(targets); // (B)
      return out.reshape(-1).sub(gold).square().mean();
    }
    long[] labels = new long[targets.length];
    for (int i = 0; i < labels.length; i++) {
      labels[i] = (long) targets[i];
    }
    NDArray gold = s.create(labels, new Shape(labels.length, 1)); // (B, 1)
    return out.logSoftmax(-1).gather(gold, 1).mean().neg();
  }

  /** Scores {@code examples} with dropout off and no gradients. */
  Map<Metric, Double> score(CrammedBert model, ClassificationHead head, TaskSpec task, List<Example> examples) {
    int[][] ids = encodeAll(examples);
    int n = examples.size();
    int[] predicted = new int[n];
    double[] values = new double[n];
    for (int from = 0; from < n; from += evalBatch) {
      int to = Math.min(n, from + evalBatch);
      int[][] rows = java.util.Arrays.copyOfRange(ids, from, to);
      try (NDManager scope = model.params().manager().newSubManager()) {
        NDArray out = forward(model, head, PairEncoder.Batch.of(rows), model.evalContext(scope));
        if (task.regression()) {
          float[] v = out.reshape(-1).toType(DataType.FLOAT32, false).toFloatArray();
          for (int i = 0; i < v.length; i++) {
            values[from + i] = v[i];
          }
        } else {
          long[] arg = out.argMax(-1).toType(DataType.INT64, false).toLongArray();
          for (int i = 0; i < arg.length; i++) {
            predicted[from + i] = (int) arg[i];
          }
        }
      }
    }
    Map<Metric, Double> scores = new LinkedHashMap<>();
    for (Metric m : task.metrics()) {
      if (task.regression()) {
        double[] gold = examples.stream().mapToDouble(Example::score).toArray();
        scores.put(m, m.score(values, gold));
      } else {
        int[] gold = examples.stream().mapToInt(Example::label).toArray();
        scores.put(m, m.score(predicted, gold));
      }
    }
    return scores;
  }

  private int[][] encodeAll(List<Example> examples) {
    List<int[]> out = new ArrayList<>(examples.size());
    for (Example e : examples) {
      out.add(encoder.encode(e));
    }
    return out.toArray(new int[0][]);
  }

  private static int[] shuffled(int n, SplittableRandom rng) {
    int[] a = new int[n];
    for (int i = 0; i < n; i++) {
      a[i] = i;
    }
    for (int i = n - 1; i > 0; i--) {
      int j = rng.nextInt(i + 1);
      int t = a[i];
      a[i] = a[j];
      a[j] = t;
    }
    return a;
  }
}
