package dev.cramjet.actors.runtime;

import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.NDScope;
import dev.cramjet.actors.StatusBoard;
import dev.cramjet.checkpoint.SafeTensors.Tensor;
import dev.cramjet.checkpoint.Tensors;
import dev.cramjet.data.RowSource;
import dev.cramjet.model.ArchConfig;
import dev.cramjet.model.CrammedBert;
import dev.cramjet.model.Fwd;
import dev.cramjet.train.MaskedBatch;
import dev.cramjet.train.MlmMasker;
import java.util.Map;
import org.apache.pekko.actor.typed.ActorRef;
import org.apache.pekko.actor.typed.Behavior;
import org.apache.pekko.actor.typed.PostStop;
import org.apache.pekko.actor.typed.javadsl.Behaviors;

/**
 * Held-out MLM loss and accuracy of a parameter snapshot, while training goes on. It keeps its own copy of the model
 * (built once, parameters overwritten per request) and must run on its own single-thread dispatcher: DJL state is per
 * thread, and no gradient collector is opened. The held-out rows are a fixed range of a row source, masked with the
 * run's seed, so two evaluations of the same parameters agree. GLUE is not here (the evaluation issue adds it).
 */
public final class Evaluator {
  private Evaluator() {}

  public sealed interface Command permits Evaluate {}

  /** Evaluate {@code params} (host copies, by name) taken at {@code step}. */
  public record Evaluate(long step, Map<String, Tensor> params, ActorRef<Result> replyTo) implements Command {}

  public record Result(long step, double loss, double accuracy, int rows, double seconds, String error) {}

  /**
   * @param source where held-out rows come from
   * @param firstRow index of the first held-out row
   * @param rows how many rows (a multiple of {@code microBatch} is best; the rest is dropped)
   */
  public record HeldOut(RowSource source, long firstRow, int rows, int microBatch) {
    public HeldOut {
      if (rows < microBatch || microBatch < 1) {
        throw new IllegalArgumentException("held-out set needs at least one micro-batch: " + rows + " rows, micro-batch "
            + microBatch);
      }
    }
  }

  /** Task and split names of the held-out MLM score in metrics ({@code cramjet_eval_score{task="mlm"}}). */
  public static final String TASK = "mlm";
  public static final String SPLIT = "heldout";

  public static Behavior<Command> create(ArchConfig arch, long seed, MlmMasker masker, HeldOut heldOut,
      StatusBoard board) {
    return create(arch, seed, masker, heldOut, board, RunObserver.NONE);
  }

  /** As above, reporting each result's accuracy on masked positions to {@code observer} (task "mlm"). */
  public static Behavior<Command> create(ArchConfig arch, long seed, MlmMasker masker, HeldOut heldOut,
      StatusBoard board, RunObserver observer) {
    return Behaviors.setup(ctx -> {
      DjlThread.prepare();
      NDManager manager = NDManager.newBaseManager();
      CrammedBert model = new CrammedBert(arch, manager, seed);
      MaskedBatch[] batches = heldOutBatches(masker, heldOut);
      return Behaviors.receive(Command.class)
          .onMessage(Evaluate.class, e -> {
            Result r = evaluate(model, manager, batches, e);
            board.lastEvaluation(new StatusBoard.EvalInfo(r.step(), r.loss(), r.accuracy(), r.rows(), r.seconds(),
                r.error()));
            if (r.error() == null) {
              observer.onEvaluation(TASK, SPLIT, r.accuracy());
            }
            e.replyTo().tell(r);
            return Behaviors.same();
          })
          .onSignal(PostStop.class, s -> {
            model.close();
            manager.close(); // native memory of the evaluation copy
            return Behaviors.same();
          })
          .build();
    });
  }

  private static MaskedBatch[] heldOutBatches(MlmMasker masker, HeldOut h) {
    int seqLen = h.source().seqLen();
    int n = h.rows() / h.microBatch();
    MaskedBatch[] out = new MaskedBatch[n];
    int[] row = new int[seqLen];
    for (int b = 0; b < n; b++) {
      long first = h.firstRow() + (long) b * h.microBatch();
      int[] flat = new int[h.microBatch() * seqLen];
      for (int r = 0; r < h.microBatch(); r++) {
        h.source().read(Math.floorMod(first + r, h.source().rows()), row);
        System.arraycopy(row, 0, flat, r * seqLen, seqLen);
      }
      out[b] = masker.mask(flat, h.microBatch(), first);
    }
    return out;
  }

  private static Result evaluate(CrammedBert model, NDManager manager, MaskedBatch[] batches, Evaluate e) {
    long start = System.nanoTime();
    try {
      Tensors.copyInto(model.params().all(), e.params(), "snapshot of step " + e.step());
      double lossSum = 0;
      long correct = 0;
      long predicted = 0;
      int rows = 0;
      for (MaskedBatch b : batches) {
        try (NDManager scope = manager.newSubManager();
            NDScope arrays = new NDScope()) {
          arrays.suppressNotUsedWarning();
          Fwd f = model.evalContext(scope);
          CrammedBert.MlmOutput out = model.mlmLoss(b.rows(), b.seqLen(), b.inputIds(), b.maskedPositions(),
              b.labels(), f);
          lossSum += out.loss().getFloat() * out.predicted();
          correct += out.correct().getLong();
          predicted += out.predicted();
          rows += b.rows();
        }
      }
      return new Result(e.step(), lossSum / predicted, (double) correct / predicted, rows,
          (System.nanoTime() - start) / 1e9, null);
    } catch (RuntimeException ex) {
      return new Result(e.step(), Double.NaN, Double.NaN, 0, (System.nanoTime() - start) / 1e9, ex.toString());
    }
  }
}
