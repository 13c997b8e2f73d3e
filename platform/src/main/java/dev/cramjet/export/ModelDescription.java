package dev.cramjet.export;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import com.typesafe.config.Config;
import com.typesafe.config.ConfigFactory;
import dev.cramjet.checkpoint.CheckpointState;
import dev.cramjet.model.ArchConfig;
import dev.cramjet.text.SpecialTokens;
import java.io.IOException;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.SortedMap;

/**
 * What an export says about itself: {@code config.json} with every fact a reader needs to rebuild the forward pass
 * from the folder alone (Hugging Face key names where a standard key exists, the rest in a {@code cramjet} block),
 * and a {@code README.md} model card. The conventions written here are the model code's ({@code dev.cramjet.model});
 * {@code ExportRebuildTest} rebuilds the logits from these words alone and compares them with {@code predict}.
 */
public final class ModelDescription {
  private static final ObjectMapper JSON = new ObjectMapper().enable(SerializationFeature.INDENT_OUTPUT);

  /** Version of the conventions block; raise it when a stated convention changes. */
  public static final int CONVENTIONS_VERSION = 1;

  private ModelDescription() {}

  /** config.json's text; {@code tokenizer} is the one exported beside the model. */
  public static String configJson(CheckpointState state, dev.cramjet.text.WordPieceTokenizer tokenizer)
      throws IOException {
    ArchConfig a = state.arch();
    Map<String, Object> m = new LinkedHashMap<>();
    m.put("architectures", List.of("CramjetCrammedBert"));
    m.put("model_type", "cramjet-crammed-bert");
    m.put("torch_dtype", "float32");
    m.put("vocab_size", a.vocabSize());
    m.put("hidden_size", a.hidden());
    m.put("num_hidden_layers", a.layers());
    m.put("num_attention_heads", a.heads());
    m.put("intermediate_size", a.intermediate());
    m.put("hidden_act", "gelu"); // Hugging Face's "gelu" is the exact erf form, as here
    m.put("max_position_embeddings", a.maxSeqLen());
    m.put("position_embedding_type",
        a.positions() == ArchConfig.Positions.LEARNED ? "absolute" : "scaled_sinusoidal");
    m.put("type_vocab_size", 0);
    m.put("layer_norm_eps", a.normEps());
    m.put("hidden_dropout_prob", a.dropout());
    m.put("attention_probs_dropout_prob", a.dropout());
    m.put("initializer_range", a.initStd());
    m.put("pad_token_id", SpecialTokens.PAD_ID);
    m.put("unk_token_id", SpecialTokens.UNK_ID);
    m.put("cls_token_id", SpecialTokens.CLS_ID);
    m.put("sep_token_id", SpecialTokens.SEP_ID);
    m.put("mask_token_id", SpecialTokens.MASK_ID);
    m.put("tie_word_embeddings", a.tiedDecoder());
    Map<String, Object> c = new LinkedHashMap<>();
    c.put("conventions_version", CONVENTIONS_VERSION);
    c.put("conventions", conventions(a));
    c.put("arch", a);
    c.put("step", state.step());
    c.put("tokens", state.tokens());
    c.put("last_loss", Double.isFinite(state.lastLoss()) ? state.lastLoss() : null);
    c.put("config_hash", state.configHash());
    c.put("vocab_hash", state.vocabHash());
    c.put("vocab_size", state.vocabularySize());
    Map<String, Object> t = new LinkedHashMap<>();
    t.put("vocab_size", tokenizer.vocabSize());
    t.put("vocab_hash", tokenizer.vocabHash());
    t.put("matches_checkpoint", state.vocabHashKnown() ? state.vocabHash().equals(tokenizer.vocabHash())
        : state.vocabularySize() == tokenizer.vocabSize());
    c.put("tokenizer", t);
    c.put("git_commit", state.gitCommit());
    c.put("created_at", state.createdAt());
    m.put("cramjet", c);
    return JSON.writeValueAsString(m) + "\n";
  }

  /** The forward pass, stated piece by piece; every tensor is named as in model.safetensors. */
  static Map<String, Object> conventions(ArchConfig a) {
    Map<String, Object> c = new LinkedHashMap<>();
    c.put("linear", "every Linear weight is (out_features, in_features): y = x @ W^T + b, as torch.nn.Linear; a"
        + " missing .bias tensor means no bias");
    c.put("gelu", Map.of("form", "erf", "formula", "gelu(x) = 0.5 * x * (1 + erf(x / sqrt(2)))"));
    c.put("layer_norm", Map.of("formula", "(x - mean) / sqrt(var + eps) * weight + bias, over the last axis, with the"
        + " biased variance", "eps", a.normEps()));

    Map<String, Object> emb = new LinkedHashMap<>();
    emb.put("word", "embedding.word.weight (vocab_size, hidden_size), row per token id");
    if (a.positions() == ArchConfig.Positions.SCALED_SINUSOIDAL) {
      emb.put("positions", "scaled_sinusoidal");
      emb.put("table", "P[p, 2j] = sin(p * 10000^(-2j / hidden_size)), P[p, 2j + 1] = cos(the same angle), for"
          + " p = 0 .. max_position_embeddings - 1 and j = 0 .. hidden_size / 2 - 1; computed in float64, then"
          + " rounded to float32. The table is fixed and not stored.");
      emb.put("scale_tensor", "embedding.position.scale");
      emb.put("formula", "x = word[ids] + scale * P[0:T]" + (a.embeddingNorm() ? ", then embedding.norm" : ""));
    } else {
      emb.put("positions", "learned");
      emb.put("position_tensor", "embedding.position.weight (max_position_embeddings, hidden_size)");
      emb.put("formula", "x = word[ids] + position[0:T]" + (a.embeddingNorm() ? ", then embedding.norm" : ""));
    }
    emb.put("norm", a.embeddingNorm() ? "embedding.norm (LayerNorm after the sum)" : "none");
    emb.put("token_type_embeddings", "none");
    c.put("embeddings", emb);

    Map<String, Object> att = new LinkedHashMap<>();
    att.put("qkv_tensor", "encoder.layer.{i}.attention.qkv.weight (3 * hidden_size, hidden_size)"
        + (a.qkvBias() ? " and .bias" : ", no bias"));
    att.put("qkv_layout", "output rows [0, H) are Q, [H, 2H) are K, [2H, 3H) are V; inside each block head h owns"
        + " the rows [h * head_size, (h + 1) * head_size), heads contiguous");
    att.put("head_size", a.headSize());
    att.put("scores", "softmax(Q_h @ K_h^T / sqrt(head_size) + mask_bias) over the keys");
    att.put("mask_bias", "0 for real tokens, -10000 for padded keys; none when the input has no padding");
    att.put("output", "heads concatenated in head order, then encoder.layer.{i}.attention.out"
        + (a.linearBias() ? " (with bias)" : " (no bias)"));
    c.put("attention", att);

    Map<String, Object> ffn = new LinkedHashMap<>();
    if (a.ffn() == ArchConfig.FeedForward.GLU) {
      ffn.put("type", "glu");
      ffn.put("intermediate_size", "the output width of encoder.layer.{i}.ffn.in, before the split; ffn.out reads"
          + " intermediate_size / 2 = " + a.ffnInner());
      ffn.put("split", "h = ffn.in(x); value = h[..., :I/2] (first half), gate = h[..., I/2:] (second half)");
      ffn.put("formula", "ffn.out(gelu(gate) * value)");
    } else {
      ffn.put("type", "gelu");
      ffn.put("formula", "ffn.out(gelu(ffn.in(x)))");
    }
    ffn.put("bias", a.linearBias());
    c.put("feed_forward", ffn);

    Map<String, Object> norm = new LinkedHashMap<>();
    norm.put("placement", a.norm() == ArchConfig.Norm.PRE ? "pre" : "post");
    norm.put("layer", a.norm() == ArchConfig.Norm.PRE
        ? "x = x + attention(norm1(x)); x = x + ffn(norm2(x))"
        : "x = norm1(x + attention(x)); x = norm2(x + ffn(x))");
    norm.put("tensors", "encoder.layer.{i}.norm1 and .norm2 (weight, bias)");
    norm.put("final_norm", a.finalNorm() ? "encoder.final_norm after the last layer" : "none");
    norm.put("eps", a.normEps());
    c.put("norms", norm);

    Map<String, Object> head = new LinkedHashMap<>();
    head.put("transform", a.headTransform()
        ? "h = mlm.transform_norm(gelu(mlm.transform(h))) (Linear with bias, GELU, LayerNorm)" : "none");
    head.put("decoder", a.tiedDecoder() ? "tied: logits = h @ embedding.word.weight^T" : "logits = h @"
        + " mlm.decoder.weight^T");
    head.put("decoder_bias", a.decoderBias() ? "mlm.decoder.bias is added" : "none");
    head.put("positions", "the head is applied per position; fill-mask decodes the [MASK] positions only");
    c.put("mlm_head", head);

    SortedMap<Integer, String> ids = new java.util.TreeMap<>();
    for (int i = 0; i < SpecialTokens.ALL.length; i++) {
      ids.put(i, SpecialTokens.ALL[i]);
    }
    Map<String, Object> special = new LinkedHashMap<>();
    ids.forEach((id, tok) -> special.put(tok, id));
    c.put("special_tokens", special);
    c.put("fill_mask_input", "[CLS] pieces [SEP]: the text's WordPiece ids (tokenizer.json), each literal [MASK] as"
        + " mask_token_id, cls_token_id first and sep_token_id last; no token type ids; no padding for one input");
    c.put("dropout", "off at inference");
    return c;
  }

  /**
   * The model card: what the model is and how it was trained (from the checkpoint's own state and run config), and
   * how to load it (tensor table and the forward pass in words).
   */
  public static String modelCard(CheckpointState state, Map<String, long[]> shapes) {
    ArchConfig a = state.arch();
    Config run = parseConfig(state.config());
    StringBuilder b = new StringBuilder();
    b.append("# ").append(a.name()).append(": a crammed BERT trained with Cramjet\n\n");
    long params = 0;
    for (long[] s : shapes.values()) {
      long n = 1;
      for (long d : s) {
        n *= d;
      }
      params += n;
    }
    b.append(String.format(Locale.ROOT, "A BERT-style masked language model (encoder only, %d layers, hidden size %d,"
        + " %d heads, %s feed-forward, %s-norm), %,d parameters, trained from scratch with masked-language modelling"
        + " by Cramjet, after \"Cramming: Training a Language Model on a Single GPU in One Day\" (Geiping and"
        + " Goldstein).%n%n", a.layers(), a.hidden(), a.heads(), a.ffn() == ArchConfig.FeedForward.GLU ? "gated (GLU)"
        : "GELU", a.norm() == ArchConfig.Norm.PRE ? "pre" : "post", params));
    b.append("## How it was trained\n\n");
    b.append("| | |\n|---|---|\n");
    b.append("| data | ").append(text(run, "run.shards")).append(" |\n");
    b.append("| data manifest SHA-256 | ").append(dataManifest(run)).append(" |\n");
    b.append("| tokenizer vocabulary hash | ").append(state.vocabHash()).append(" |\n");
    b.append("| steps | ").append(state.step()).append(" |\n");
    b.append(String.format(Locale.ROOT, "| tokens | %,d |%n", state.tokens()));
    b.append("| budget | ").append(text(run, "train.budget")).append(" |\n");
    b.append(String.format(Locale.ROOT, "| training time counted by the budget | %.1f s |%n",
        state.budgetElapsedNanos() / 1e9));
    b.append("| final MLM loss | ").append(Double.isFinite(state.lastLoss())
        ? String.format(Locale.ROOT, "%.4f", state.lastLoss()) : "n/a").append(" |\n");
    b.append("| learning rate, batch size, masking | ").append(text(run, "train.lr")).append(", ")
        .append(text(run, "train.batch-size")).append(", ").append(text(run, "train.mask-rate")).append(" |\n");
    b.append("| seed | ").append(state.seed()).append(" |\n");
    b.append("| code version (git commit) | ").append(state.gitCommit()).append(" |\n");
    b.append("| run config SHA-256 | ").append(state.configHash()).append(" |\n");
    b.append("| checkpoint written | ").append(state.createdAt()).append(" |\n\n");

    b.append("## Files\n\n");
    b.append("- `model.safetensors`: float32 parameters, named as in the table below.\n");
    b.append("- `config.json`: Hugging Face key names where one exists; the `cramjet.conventions` block states every"
        + " convention of the forward pass.\n");
    b.append("- `tokenizer.json` (Hugging Face tokenizers format) and `vocab.txt`: the WordPiece tokenizer.\n\n");

    b.append("## Tensors\n\n| name | shape |\n|---|---|\n");
    for (Map.Entry<String, long[]> e : new java.util.TreeMap<>(shapes).entrySet()) {
      b.append("| `").append(e.getKey()).append("` | ").append(java.util.Arrays.toString(e.getValue())).append(" |\n");
    }
    b.append("\n## The forward pass\n\n");
    b.append("Input: token ids `[CLS] ... [SEP]` (").append(SpecialTokens.CLS).append(" = ").append(SpecialTokens.CLS_ID)
        .append(", ").append(SpecialTokens.SEP).append(" = ").append(SpecialTokens.SEP_ID).append(", ")
        .append(SpecialTokens.MASK).append(" = ").append(SpecialTokens.MASK_ID).append(", ").append(SpecialTokens.PAD)
        .append(" = ").append(SpecialTokens.PAD_ID).append("), no token types. Linear weights are (out, in):"
            + " `y = x W^T + b`. GELU is the exact erf form.\n\n");
    Map<String, Object> conv = conventions(a);
    int step = 1;
    b.append(step++).append(". Embeddings: ").append(((Map<?, ?>) conv.get("embeddings")).get("formula")).append(". ");
    if (a.positions() == ArchConfig.Positions.SCALED_SINUSOIDAL) {
      b.append(((Map<?, ?>) conv.get("embeddings")).get("table"));
    }
    b.append("\n");
    b.append(step++).append(". Each of the ").append(a.layers()).append(" layers: ")
        .append(((Map<?, ?>) conv.get("norms")).get("layer")).append(".\n");
    b.append(step++).append(". Attention: the fused projection `attention.qkv`; ")
        .append(((Map<?, ?>) conv.get("attention")).get("qkv_layout")).append(". Scores ")
        .append(((Map<?, ?>) conv.get("attention")).get("scores")).append("; heads are concatenated and go through"
            + " `attention.out`.\n");
    b.append(step++).append(". Feed-forward: ").append(((Map<?, ?>) conv.get("feed_forward")).get("formula"));
    if (a.ffn() == ArchConfig.FeedForward.GLU) {
      b.append(", where ").append(((Map<?, ?>) conv.get("feed_forward")).get("split"))
          .append(". `intermediate_size` is the width before the split");
    }
    b.append(".\n");
    b.append(step++).append(". Final norm: ").append(((Map<?, ?>) conv.get("norms")).get("final_norm")).append(".\n");
    b.append(step).append(". MLM head: ").append(((Map<?, ?>) conv.get("mlm_head")).get("transform")).append("; ")
        .append(((Map<?, ?>) conv.get("mlm_head")).get("decoder")).append("; bias: ")
        .append(((Map<?, ?>) conv.get("mlm_head")).get("decoder_bias")).append(". Softmax over the vocabulary gives"
            + " fill-mask probabilities.\n\n");
    b.append("`bin/cramjet predict` computes the same; a test in Cramjet rebuilds these logits from this folder alone"
        + " and matches them to 1e-5.\n");
    return b.toString();
  }

  /**
   * The SHA-256 of the training data's manifest, when the run config names a shard folder that still exists, else a
   * sentence saying why it is unknown.
   */
  static String dataManifest(Config run) {
    String shards = run.hasPath("run.shards") ? text(run, "run.shards") : null;
    if (shards == null || shards.isBlank()) {
      return "unknown (the run config names no data)";
    }
    if (shards.equals("synthetic")) {
      return "none (synthetic rows)";
    }
    java.nio.file.Path manifest = java.nio.file.Path.of(shards).resolve(dev.cramjet.data.Manifest.FILE_NAME);
    if (!java.nio.file.Files.isRegularFile(manifest)) {
      return "unknown (" + manifest + " was not found at export time)";
    }
    return dev.cramjet.util.Hashing.sha256(manifest);
  }

  private static Config parseConfig(String text) {
    try {
      return text == null || text.isBlank() ? ConfigFactory.empty() : ConfigFactory.parseString(text);
    } catch (RuntimeException e) {
      return ConfigFactory.empty();
    }
  }

  private static String text(Config c, String path) {
    try {
      return c.hasPath(path) ? c.getValue(path).unwrapped().toString() : "not recorded";
    } catch (RuntimeException e) {
      return "not recorded";
    }
  }
}
