package dev.cramjet.export;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.typesafe.config.ConfigFactory;
import dev.cramjet.checkpoint.CheckpointState;
import dev.cramjet.checkpoint.CheckpointStore;
import dev.cramjet.config.RunConfig;
import dev.cramjet.eval.FillMask;
import dev.cramjet.eval.Pretrained;
import dev.cramjet.model.CrammedBert;
import dev.cramjet.text.SpecialTokens;
import dev.cramjet.text.Vocabulary;
import dev.cramjet.text.WordPieceTokenizer;
import dev.cramjet.train.MlmTrainer;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import java.util.Random;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Rebuilds fill-mask probabilities from an export folder alone: config.json (its documented conventions),
 * model.safetensors read by hand, and the exported tokenizer. The forward pass below is written from the words in
 * config.json, in double precision, without the model classes; it must agree with {@code predict} to 1e-5 for three
 * architectures that between them switch every convention (pre/post norm, GLU/GELU, sinusoidal/learned positions,
 * tied/untied decoder, each bias and norm on and off). All parameters are random, LayerNorm scales and biases
 * included, so a swapped half, block or tensor shows.
 */
class ExportRebuildTest {
  @TempDir Path tmp;

  private static final List<String> WORDS = List.of("the", "cat", "sat", "on", "mat", "a", "dog", "ran", "big",
      "red", "sun", "sky", "and", "##s", "blue", "old", "tree", "fox");
  private static final List<String> TEXTS = List.of("the cat [MASK] on the mat", "[MASK] dog ran",
      "a big [MASK] fox and the [MASK] sky", "old trees sat on a red [MASK] and a blue sun");

  @Test
  void crammedBertRebuildsFromTheExportAlone() throws Exception {
    assertRebuilds("arch { preset = crammed-bert }");
  }

  @Test
  void originalBertRebuildsFromTheExportAlone() throws Exception {
    assertRebuilds("arch { preset = bert-original }");
  }

  @Test
  void untiedDecoderWithBiasesAndNoEmbeddingNormRebuilds() throws Exception {
    assertRebuilds("arch { preset = crammed-bert, tied-decoder = false, decoder-bias = true, qkv-bias = true,"
        + " linear-bias = true, embedding-norm = false, head-transform = true, final-norm = false }");
  }

  private void assertRebuilds(String archConf) throws Exception {
    int vocab = SpecialTokens.COUNT + WORDS.size();
    RunConfig cfg = RunConfig.fromConfig(ConfigFactory.parseString(archConf + """

        arch { name = rebuild, vocab-size = %d, hidden = 16, layers = 2, heads = 2, intermediate = 24,
               max-seq-len = 24 }
        train { preset = cpu-short }
        """.formatted(vocab)), List.of());
    List<String> tokens = new ArrayList<>(List.of(SpecialTokens.ALL));
    tokens.addAll(WORDS);
    Path tokDir = tmp.resolve("tok");
    new WordPieceTokenizer(Vocabulary.of(tokens)).save(tokDir);
    Path checkpoint;
    try (NDManager m = NDManager.newBaseManager();
        MlmTrainer trainer = new MlmTrainer(cfg.arch(), cfg.train(), m)) {
      Random r = new Random(11);
      for (NDArray p : trainer.model().params().all().values()) {
        float[] v = new float[(int) p.size()];
        for (int i = 0; i < v.length; i++) {
          v[i] = (float) (0.4 * r.nextGaussian());
        }
        p.set(v);
      }
      CheckpointState state = new CheckpointState(CheckpointState.FORMAT_VERSION, cfg.arch(), 3, 300, 30, 1_000_000L,
          1, 4.5, "cfg", "", "abc", "vocab", "2026-01-01T00:00:00Z", Map.of());
      checkpoint = new CheckpointStore(tmp.resolve("run/checkpoints"), 1).write(trainer.snapshot(state));
    }
    Path export = tmp.resolve("export");
    Exporter.export(checkpoint, tokDir, export, true);

    // The rebuild sees only the export folder.
    Rebuilt model = new Rebuilt(export);
    WordPieceTokenizer tokenizer = WordPieceTokenizer.load(export);
    Pretrained p = Pretrained.load(checkpoint, tokDir);
    double worst = 0;
    int compared = 0;
    try (NDManager manager = NDManager.newBaseManager(); CrammedBert production = p.model(manager)) {
      for (String text : TEXTS) {
        int[] ids = model.frame(tokenizer, text);
        double[][] probs = model.maskProbabilities(ids);
        List<FillMask.Prediction> expected = FillMask.predict(production, p.tokenizer(), id -> "", text, vocab, 24);
        assertEquals(expected.size(), probs.length, text);
        for (int mIdx = 0; mIdx < probs.length; mIdx++) {
          for (FillMask.Candidate c : expected.get(mIdx).candidates()) {
            worst = Math.max(worst, Math.abs(c.probability() - probs[mIdx][c.id()]));
            compared++;
          }
        }
      }
    }
    assertEquals(5 * vocab, compared, "every probability of the 5 masks");
    assertTrue(worst < 1e-5, "largest probability difference " + worst);
    System.out.printf("export rebuild (%s): largest difference %.2e over %d probabilities%n", archConf, worst,
        compared);
  }

  /** A crammed BERT rebuilt from the export's words and bytes. */
  static final class Rebuilt {
    final JsonNode config;
    final JsonNode conv;
    final Map<String, double[]> t = new HashMap<>();
    final int hidden;
    final int heads;
    final double eps;

    Rebuilt(Path dir) throws Exception {
      config = new ObjectMapper().readTree(dir.resolve("config.json").toFile());
      conv = config.path("cramjet").path("conventions");
      hidden = config.path("hidden_size").asInt();
      heads = config.path("num_attention_heads").asInt();
      eps = config.path("layer_norm_eps").asDouble();
      byte[] file = Files.readAllBytes(dir.resolve("model.safetensors"));
      ByteBuffer buf = ByteBuffer.wrap(file).order(ByteOrder.LITTLE_ENDIAN);
      int headerLen = (int) buf.getLong(0);
      JsonNode header = new ObjectMapper().readTree(new String(file, 8, headerLen, StandardCharsets.UTF_8));
      for (Iterator<String> it = header.fieldNames(); it.hasNext(); ) {
        String name = it.next();
        if (name.equals("__metadata__")) {
          continue;
        }
        JsonNode e = header.get(name);
        assertEquals("F32", e.get("dtype").asText());
        int start = 8 + headerLen + e.get("data_offsets").get(0).asInt();
        int end = 8 + headerLen + e.get("data_offsets").get(1).asInt();
        double[] v = new double[(end - start) / 4];
        for (int i = 0; i < v.length; i++) {
          v[i] = buf.getFloat(start + 4 * i);
        }
        t.put(name, v);
      }
    }

    /** [CLS] pieces [SEP], each literal [MASK] as the mask id, as config.json's fill_mask_input says. */
    int[] frame(WordPieceTokenizer tok, String text) {
      JsonNode special = conv.path("special_tokens");
      List<Integer> ids = new ArrayList<>();
      ids.add(config.path("cls_token_id").asInt());
      String[] parts = text.split("\\[MASK\\]", -1);
      for (int i = 0; i < parts.length; i++) {
        if (i > 0) {
          ids.add(special.path("[MASK]").asInt());
        }
        for (int id : tok.encode(parts[i])) {
          ids.add(id);
        }
      }
      ids.add(config.path("sep_token_id").asInt());
      return ids.stream().mapToInt(Integer::intValue).toArray();
    }

    double[][] maskProbabilities(int[] ids) {
      int len = ids.length;
      int h = hidden;
      double[][] x = new double[len][h];
      double[] word = t.get("embedding.word.weight");
      boolean sinusoidal = conv.path("embeddings").path("positions").asText().equals("scaled_sinusoidal");
      for (int p = 0; p < len; p++) {
        for (int c = 0; c < h; c++) {
          double pos;
          if (sinusoidal) {
            int j2 = c - c % 2; // the even column of the pair
            double angle = p * Math.pow(10000.0, -(double) j2 / h);
            pos = t.get("embedding.position.scale")[0] * (float) (c % 2 == 0 ? Math.sin(angle) : Math.cos(angle));
          } else {
            pos = t.get("embedding.position.weight")[p * h + c];
          }
          x[p][c] = word[ids[p] * h + c] + pos;
        }
      }
      if (!conv.path("embeddings").path("norm").asText().equals("none")) {
        x = norm(x, "embedding.norm");
      }
      boolean pre = conv.path("norms").path("placement").asText().equals("pre");
      int layers = config.path("num_hidden_layers").asInt();
      for (int i = 0; i < layers; i++) {
        String l = "encoder.layer." + i;
        if (pre) {
          x = add(x, attention(norm(x, l + ".norm1"), l));
          x = add(x, ffn(norm(x, l + ".norm2"), l));
        } else {
          x = norm(add(x, attention(x, l)), l + ".norm1");
          x = norm(add(x, ffn(x, l)), l + ".norm2");
        }
      }
      if (!conv.path("norms").path("final_norm").asText().equals("none")) {
        x = norm(x, "encoder.final_norm");
      }
      int maskId = conv.path("special_tokens").path("[MASK]").asInt();
      List<double[]> states = new ArrayList<>();
      for (int p = 0; p < len; p++) {
        if (ids[p] == maskId) {
          states.add(x[p]);
        }
      }
      double[][] hm = states.toArray(new double[0][]);
      if (!conv.path("mlm_head").path("transform").asText().equals("none")) {
        hm = norm(gelu(linear(hm, "mlm.transform")), "mlm.transform_norm");
      }
      String decoder = config.path("tie_word_embeddings").asBoolean() ? "embedding.word.weight" : "mlm.decoder.weight";
      double[] w = t.get(decoder);
      double[] b = t.get("mlm.decoder.bias");
      int vocab = config.path("vocab_size").asInt();
      double[][] probs = new double[hm.length][vocab];
      for (int m = 0; m < hm.length; m++) {
        double max = Double.NEGATIVE_INFINITY;
        for (int v = 0; v < vocab; v++) {
          double s = b == null ? 0 : b[v];
          for (int c = 0; c < h; c++) {
            s += hm[m][c] * w[v * h + c];
          }
          probs[m][v] = s;
          max = Math.max(max, s);
        }
        double sum = 0;
        for (int v = 0; v < vocab; v++) {
          probs[m][v] = Math.exp(probs[m][v] - max);
          sum += probs[m][v];
        }
        for (int v = 0; v < vocab; v++) {
          probs[m][v] /= sum;
        }
      }
      return probs;
    }

    /** Fused QKV rows: Q block, K block, V block; heads contiguous inside each block. */
    double[][] attention(double[][] x, String l) {
      int len = x.length;
      int hs = hidden / heads;
      double[][] qkv = linear(x, l + ".attention.qkv");
      double[][] y = new double[len][hidden];
      for (int hd = 0; hd < heads; hd++) {
        for (int i = 0; i < len; i++) {
          double[] s = new double[len];
          double max = Double.NEGATIVE_INFINITY;
          for (int j = 0; j < len; j++) {
            double d = 0;
            for (int c = 0; c < hs; c++) {
              d += qkv[i][hd * hs + c] * qkv[j][hidden + hd * hs + c];
            }
            s[j] = d / Math.sqrt(hs);
            max = Math.max(max, s[j]);
          }
          double sum = 0;
          for (int j = 0; j < len; j++) {
            s[j] = Math.exp(s[j] - max);
            sum += s[j];
          }
          for (int j = 0; j < len; j++) {
            for (int c = 0; c < hs; c++) {
              y[i][hd * hs + c] += s[j] / sum * qkv[j][2 * hidden + hd * hs + c];
            }
          }
        }
      }
      return linear(y, l + ".attention.out");
    }

    double[][] ffn(double[][] x, String l) {
      double[][] h = linear(x, l + ".ffn.in");
      if (conv.path("feed_forward").path("type").asText().equals("glu")) {
        int half = h[0].length / 2;
        double[][] g = new double[h.length][half];
        for (int i = 0; i < h.length; i++) {
          for (int c = 0; c < half; c++) {
            g[i][c] = gelu(h[i][half + c]) * h[i][c]; // gate = second half, value = first half
          }
        }
        h = g;
      } else {
        h = gelu(h);
      }
      return linear(h, l + ".ffn.out");
    }

    /** y = x W^T + b with W (out, in); no bias tensor means no bias. */
    double[][] linear(double[][] x, String name) {
      double[] w = t.get(name + ".weight");
      double[] b = t.get(name + ".bias");
      int in = x[0].length;
      int out = w.length / in;
      double[][] y = new double[x.length][out];
      for (int i = 0; i < x.length; i++) {
        for (int o = 0; o < out; o++) {
          double s = b == null ? 0 : b[o];
          for (int c = 0; c < in; c++) {
            s += x[i][c] * w[o * in + c];
          }
          y[i][o] = s;
        }
      }
      return y;
    }

    double[][] norm(double[][] x, String name) {
      double[] w = t.get(name + ".weight");
      double[] b = t.get(name + ".bias");
      double[][] y = new double[x.length][];
      for (int i = 0; i < x.length; i++) {
        double mean = 0;
        for (double v : x[i]) {
          mean += v;
        }
        mean /= x[i].length;
        double var = 0;
        for (double v : x[i]) {
          var += (v - mean) * (v - mean);
        }
        var /= x[i].length;
        y[i] = new double[x[i].length];
        for (int c = 0; c < x[i].length; c++) {
          y[i][c] = (x[i][c] - mean) / Math.sqrt(var + eps) * w[c] + b[c];
        }
      }
      return y;
    }

    static double[][] add(double[][] a, double[][] b) {
      double[][] y = new double[a.length][a[0].length];
      for (int i = 0; i < a.length; i++) {
        for (int c = 0; c < a[0].length; c++) {
          y[i][c] = a[i][c] + b[i][c];
        }
      }
      return y;
    }

    static double[][] gelu(double[][] x) {
      double[][] y = new double[x.length][];
      for (int i = 0; i < x.length; i++) {
        y[i] = new double[x[i].length];
        for (int c = 0; c < x[i].length; c++) {
          y[i][c] = gelu(x[i][c]);
        }
      }
      return y;
    }

    /** The exact form: 0.5 x (1 + erf(x / sqrt 2)). */
    static double gelu(double x) {
      return 0.5 * x * (1 + erf(x / Math.sqrt(2)));
    }

    /** erf by its Taylor series (|x| < 5: terms stay below 1e10, leaving 1e-6 of 1e-16 headroom), else +-1. */
    static double erf(double x) {
      if (Math.abs(x) >= 5) {
        return Math.signum(x);
      }
      double sum = 0;
      double term = x; // x^(2n+1) (-1)^n / n!
      for (int n = 0; n < 200; n++) {
        double add = term / (2 * n + 1);
        sum += add;
        if (Math.abs(add) < 1e-17 * Math.abs(sum)) {
          break;
        }
        term *= -x * x / (n + 1);
      }
      return 2 / Math.sqrt(Math.PI) * sum;
    }
  }
}
