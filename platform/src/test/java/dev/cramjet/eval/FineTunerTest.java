package dev.cramjet.eval;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.typesafe.config.ConfigFactory;
import dev.cramjet.config.ConfigBinder;
import dev.cramjet.config.Presets;
import dev.cramjet.model.ArchConfig;
import dev.cramjet.util.BadInputException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;

class FineTunerTest {
  static final List<String> WORDS = List.of("good", "bad", "the", "a", "film", "was", "plot", "very", "high", "low");
  static final WordEncoder TOKENS = new WordEncoder(WORDS);

  /** A 2-layer crammed-bert of width 32 over 16 ids (5 special + 10 words + 1 spare), rows up to 16 tokens. */
  static ArchConfig arch() {
    return ConfigBinder.bind(ConfigFactory.parseString("""
        name = test, vocab-size = 16, hidden = 32, layers = 2, heads = 2, intermediate = 64, max-seq-len = 16
        """).withFallback(Presets.load("arch", "crammed-bert")), ArchConfig.class, "arch");
  }

  /** The crammed protocol with a rate that moves a random-init model within a few epochs. */
  static FinetuneConfig fast() {
    return FinetuneConfig.preset("crammed").withLr(2e-3).withEpochs(15);
  }

  /** Filler words with {@code key} at a random place. */
  static String sentence(SplittableRandom rng, String key) {
    List<String> filler = List.of("the", "a", "film", "was", "plot", "very");
    List<String> w = new ArrayList<>();
    int n = 3 + rng.nextInt(4);
    for (int i = 0; i < n; i++) {
      w.add(filler.get(rng.nextInt(filler.size())));
    }
    w.add(rng.nextInt(w.size() + 1), key);
    return String.join(" ", w);
  }

  @Test
  void presetsBindFromConfigsEval() {
    FinetuneConfig c = FinetuneConfig.preset("crammed");
    assertEquals(16, c.batchSize());
    assertEquals(4e-5, c.lr(), 0);
    assertEquals(0.98, c.beta2(), 0);
    assertEquals(1e-6, c.eps(), 0);
    assertEquals(0.0, c.weightDecay(), 0);
    assertEquals(5, c.epochs());
    assertEquals(0.1, c.warmup(), 0);
    assertEquals(1024, c.headWidth());
    FinetuneConfig bert = FinetuneConfig.preset("bert-original");
    assertEquals(32, bert.batchSize());
    assertEquals(2e-5, bert.lr(), 0);
    assertEquals(5, bert.epochs());
  }

  @Test
  void pairEncoderTruncatesTheLongerTextFirst() {
    PairEncoder enc = new PairEncoder(TOKENS, 8);
    // a = 4 tokens, b = 2 tokens: 4 + 2 + 3 specials = 9 > 8, so one token goes from the end of a
    int[] ids = enc.encode(new int[] {10, 11, 12, 13}, new int[] {20, 21});
    assertArrayEquals(new int[] {2, 10, 11, 12, 3, 20, 21, 3}, ids);
    assertArrayEquals(new int[] {2, 10, 11, 12, 13, 3}, enc.encode(new int[] {10, 11, 12, 13}, null));
    PairEncoder.Batch b = PairEncoder.Batch.of(new int[][] {{2, 7, 3}, {2, 3}});
    assertEquals(3, b.seqLen());
    assertArrayEquals(new long[] {2, 7, 3, 2, 3, 0}, b.ids());
    assertArrayEquals(new long[] {1, 1, 1, 1, 1, 0}, b.mask());
  }

  @Test
  void learnsASeparableTaskToHighAccuracy() {
    SplittableRandom rng = new SplittableRandom(7);
    TaskSpec task = new TaskSpec("toy", Path.of("toy"), TsvLayout.SST2, List.of("0", "1"),
        List.of(Metric.ACCURACY, Metric.MCC), "train.tsv", Map.of("toy", "dev.tsv"));
    List<Example> train = new ArrayList<>();
    List<Example> dev = new ArrayList<>();
    for (int i = 0; i < 160; i++) {
      int label = i % 2;
      Example e = Example.classified(sentence(rng, label == 1 ? "good" : "bad"), null, label, i + 1);
      (i < 128 ? train : dev).add(e);
    }
    List<Double> epochLosses = new ArrayList<>();
    FineTuner ft = new FineTuner(arch(), null, fast(), TOKENS, 64);
    FineTuner.Result r = ft.run(task, train, Map.of("toy", dev), 1, new FineTuner.Listener() {
      @Override
      public void onEpoch(String t, long seed, int epoch, int epochs, double loss, double eps) {
        epochLosses.add(loss);
      }
    });
    assertEquals(15, epochLosses.size());
    assertEquals(15 * 8, r.steps());
    assertTrue(epochLosses.get(14) < epochLosses.get(0), "loss falls: " + epochLosses);
    double acc = r.scores().get("toy").get(Metric.ACCURACY);
    assertTrue(acc >= 0.95, "dev accuracy " + acc + ", losses " + epochLosses);
    assertTrue(r.examplesPerSecond() > 0);
  }

  @Test
  void regressionLearnsAScoreFromAWord() {
    SplittableRandom rng = new SplittableRandom(3);
    TaskSpec task = new TaskSpec("toy-sts", Path.of("toy"), TsvLayout.STSB, List.of(),
        List.of(Metric.PEARSON, Metric.SPEARMAN), "train.tsv", Map.of("toy-sts", "dev.tsv"));
    List<Example> train = new ArrayList<>();
    List<Example> dev = new ArrayList<>();
    for (int i = 0; i < 160; i++) {
      boolean high = i % 2 == 0;
      Example e = Example.scored(sentence(rng, high ? "high" : "low"), sentence(rng, "film"), high ? 4.0 : 1.0, i);
      (i < 128 ? train : dev).add(e);
    }
    FineTuner.Result r = new FineTuner(arch(), null, fast().withEpochs(20), TOKENS, 64).run(task, train, Map.of("toy-sts", dev), 2,
        new FineTuner.Listener() {});
    assertTrue(r.scores().get("toy-sts").get(Metric.PEARSON) > 0.8, "pearson " + r.scores());
  }

  @Test
  void rejectsPretrainedWeightsOfAnotherShape() {
    var wrong = Map.of("embedding.word.weight", dev.cramjet.checkpoint.SafeTensors.f32(new float[4], 2, 2));
    TaskSpec task = new TaskSpec("toy", Path.of("toy"), TsvLayout.SST2, List.of("0", "1"), List.of(Metric.ACCURACY),
        "train.tsv", Map.of("toy", "dev.tsv"));
    FineTuner ft = new FineTuner(arch(), wrong, fast(), TOKENS, 8);
    List<Example> one = List.of(Example.classified("good", null, 1, 1));
    assertThrows(BadInputException.class, () -> ft.run(task, one, Map.of("toy", one), 1, new FineTuner.Listener() {}));
  }
}
