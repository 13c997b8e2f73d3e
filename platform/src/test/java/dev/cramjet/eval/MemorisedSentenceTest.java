package dev.cramjet.eval;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ai.djl.ndarray.NDManager;
import com.typesafe.config.ConfigFactory;
import dev.cramjet.config.RunConfig;
import dev.cramjet.data.RowSource;
import dev.cramjet.model.CrammedBert;
import dev.cramjet.text.SpecialTokens;
import dev.cramjet.text.Vocabulary;
import dev.cramjet.text.WordPieceTokenizer;
import dev.cramjet.train.MlmMasker;
import dev.cramjet.train.MlmTrainer;
import dev.cramjet.util.BadInputException;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/** A tiny model trained here to memorise one sentence: fill-mask must recover it, MLM evaluation must see it. */
class MemorisedSentenceTest {
  static final List<String> TOKENS = new ArrayList<>(List.of(SpecialTokens.ALL));

  static {
    TOKENS.addAll(List.of("the", "cat", "sat", "on", "mat", "dog", "ran"));
  }

  static final WordPieceTokenizer TOKENIZER = new WordPieceTokenizer(Vocabulary.of(TOKENS));
  static final String SENTENCE = "the cat sat on the mat";
  static NDManager manager;
  static MlmTrainer trainer;
  static RowSource rows;

  static RunConfig config() {
    return RunConfig.fromConfig(ConfigFactory.parseString("""
        arch { preset = crammed-bert, name = test, vocab-size = 16, hidden = 32, layers = 2, heads = 2,
               intermediate = 64, max-seq-len = 16 }
        train { preset = cpu-short, micro-batch = 16, batch-size = 16, lr = 1e-2 }
        """), List.of());
  }

  /** The memorised row, [CLS] the cat sat on the mat [SEP], repeated. */
  static RowSource repeated(int[] row) {
    return new RowSource() {
      public int seqLen() {
        return row.length;
      }

      public long rows() {
        return 1000;
      }

      public int vocabSize() {
        return 16;
      }

      public void read(long index, int[] dst) {
        System.arraycopy(row, 0, dst, 0, row.length);
      }
    };
  }

  @BeforeAll
  static void train() {
    int[] body = TOKENIZER.encode(SENTENCE);
    int[] row = new int[body.length + 2];
    row[0] = SpecialTokens.CLS_ID;
    System.arraycopy(body, 0, row, 1, body.length);
    row[row.length - 1] = SpecialTokens.SEP_ID;
    rows = repeated(row);
    RunConfig cfg = config();
    manager = NDManager.newBaseManager();
    trainer = new MlmTrainer(cfg.arch(), cfg.train(), manager);
    MlmMasker masker = new MlmMasker(0.25, row.length, 16, 11);
    int batch = 16;
    for (int step = 0; step < 150; step++) {
      int[] flat = new int[batch * row.length];
      for (int r = 0; r < batch; r++) {
        System.arraycopy(row, 0, flat, r * row.length, row.length);
      }
      trainer.step(List.of(masker.mask(flat, batch, (long) step * batch)), 1e-2);
    }
  }

  @AfterAll
  static void close() {
    trainer.close();
    manager.close();
  }

  @Test
  void fillMaskReturnsTheMemorisedToken() {
    CrammedBert model = trainer.model();
    List<FillMask.Prediction> p = FillMask.predict(model, TOKENIZER, id -> TOKENS.get(id), "the cat [MASK] on the [MASK]",
        3, 16);
    assertEquals(2, p.size());
    assertEquals(3, p.get(0).position()); // [CLS] the cat [MASK]
    assertEquals("sat", p.get(0).candidates().get(0).token());
    assertEquals("mat", p.get(1).candidates().get(0).token());
    assertEquals(3, p.get(0).candidates().size());
    double first = p.get(0).candidates().get(0).probability();
    assertTrue(first > 0.5 && first <= 1.0, "probability " + first);
    assertTrue(p.get(0).candidates().get(1).probability() <= first);
  }

  @Test
  void fillMaskInputsAndErrors() {
    assertArrayEquals(new int[] {2, 5, 4, 6, 3}, FillMask.inputIds(TOKENIZER, "the [MASK] cat"));
    assertThrows(BadInputException.class, () -> FillMask.inputIds(TOKENIZER, "no mask here"));
    assertThrows(BadInputException.class,
        () -> FillMask.predict(trainer.model(), TOKENIZER, TOKENS::get, "the cat [MASK] on the mat", 1, 4));
  }

  @Test
  void mlmEvaluationSeesTheMemorisedRowsAndIsDeterministic() {
    MlmEvaluator.Result trained = MlmEvaluator.evaluate(trainer.model(), rows, 64, 5);
    assertEquals(64, trained.rows());
    assertEquals(64 * 2, trained.predicted()); // round(0.25 * 8) = 2 positions per row
    assertTrue(trained.accuracy() > 0.9, "accuracy " + trained.accuracy());
    assertTrue(trained.loss() < 0.5, "loss " + trained.loss());
    assertEquals(trained, MlmEvaluator.evaluate(trainer.model(), rows, 64, 5));
    // A held-out range near the end wraps around; masking follows the global row index, so an offset range differs.
    MlmEvaluator.Result wrapped = MlmEvaluator.evaluate(trainer.model(), rows, 990, 20, new MlmMasker(0.25, 8, 16, 5), 8);
    assertEquals(20, wrapped.rows());
    assertEquals(40, wrapped.predicted());
    assertTrue(wrapped.accuracy() > 0.9, "accuracy " + wrapped.accuracy());

    try (NDManager m = NDManager.newBaseManager();
        CrammedBert fresh = new CrammedBert(config().arch(), m, 3)) {
      MlmEvaluator.Result r = MlmEvaluator.evaluate(fresh, rows, 50, 5, 0.25, 16);
      // An untrained model is near uniform over 16 ids: loss near ln 16 = 2.77.
      assertEquals(Math.log(16), r.loss(), 0.3);
      assertEquals(100, r.predicted());
    }
  }
}
