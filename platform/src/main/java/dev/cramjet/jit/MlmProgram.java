package dev.cramjet.jit;

import dev.cramjet.model.ArchConfig;
import dev.cramjet.model.CrammedBert;
import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * The TorchScript source of one masked-LM training micro-step for an architecture: the forward pass of {@link
 * CrammedBert} (every switch of {@link ArchConfig}), the loss, and the backward pass, in one native call. The DJL model
 * stays the readable reference and serves inference and fine-tuning; this program is what pretraining runs, and tests
 * hold its loss and gradients to the DJL model's.
 *
 * <p>The program has no parameters of its own. Methods take the model's parameters as one list, in the order of
 * {@link #parameterNames()}, and its constant tensors (the fixed sinusoid) as a second list, so the arrays stay DJL's
 * and the optimizer, checkpoints and exports see them as before.
 *
 * <p>Precision. In fp32 every operation is float32. In bf16 or fp16 the matrix products (Linear layers, attention
 * scores and mixing, the decoder) and GELU run in the low type, and the rest in float32: LayerNorm, softmax, the
 * residual stream and the loss. That is what {@code torch.autocast} does, written out as explicit casts. Parameters and
 * their gradients stay float32 (the casts are differentiated).
 *
 * <p>Methods of the compiled class:
 *
 * <ul>
 *   <li>{@code mlm_loss(p, buf, ids, positions, labels, train) -> List[Tensor]}: the mean loss (float32 scalar) and the
 *       number of masked tokens predicted right (int64 scalar), with autograd history when grad mode is on;
 *   <li>{@code micro_step(p, buf, ids, positions, labels, weight, scale, stats) -> None}: {@code mlm_loss} with dropout as
 *       the architecture says for pretraining, then backward of {@code loss * weight * scale} (gradients accumulate into
 *       the parameters' {@code .grad}), then adds the loss and the correct count to {@code stats[0]} and {@code
 *       stats[1]} on the device, with no host synchronisation.
 * </ul>
 */
public final class MlmProgram {
  /** Class name in the archive. */
  public static final String CLASS_NAME = "CramjetMlm";

  private final ArchConfig arch;
  private final Precision precision;
  private final boolean fusedAttention;

  /** Whether fused attention is the faster choice for {@code precision} on a GPU ({@code gpu}) or a CPU. */
  public static boolean fusedAttentionFor(Precision precision, boolean gpu) {
    return gpu || precision == Precision.FP32;
  }
  private final List<String> names;
  private final Map<String, Integer> index = new LinkedHashMap<>();
  private final List<String> bufferNames;

  /** Numeric type of the matrix products. */
  public enum Precision {
    FP32(6),
    BF16(15),
    FP16(5);

    /** libtorch's ScalarType code, as TorchScript source spells a dtype. */
    final int scalarType;

    Precision(int scalarType) {
      this.scalarType = scalarType;
    }
  }

  /**
   * @param parameterNames the model's parameter names in the order the methods receive them
   * @param bufferNames the names of the constant tensors ({@link CrammedBert#buffers()}) in the order the methods
   *     receive them
   */
  public MlmProgram(ArchConfig arch, Precision precision, List<String> parameterNames, List<String> bufferNames) {
    this(arch, precision, parameterNames, bufferNames, true);
  }

  /**
   * @param fusedAttention use libtorch's fused attention ({@code scaled_dot_product_attention}) where there is no mask
   *     and no dropout; false writes attention out as matmul, softmax, matmul. On a CPU the fused kernel is as fast as
   *     the written-out form in float32 but 3.6x slower in bf16 (docs/performance.md, entry 10), so a CPU uses it in
   *     float32 only ({@link #fusedAttentionFor}).
   */
  public MlmProgram(ArchConfig arch, Precision precision, List<String> parameterNames, List<String> bufferNames,
      boolean fusedAttention) {
    this.fusedAttention = fusedAttention;
    this.arch = arch;
    this.precision = precision;
    this.names = List.copyOf(parameterNames);
    for (int i = 0; i < names.size(); i++) {
      index.put(names.get(i), i);
    }
    this.bufferNames = List.copyOf(bufferNames);
  }

  public List<String> parameterNames() {
    return Collections.unmodifiableList(names);
  }

  public List<String> bufferNames() {
    return bufferNames;
  }

  public Precision precision() {
    return precision;
  }

  /** The whole {@code code/__torch__.py}. */
  public String source() {
    Src s = new Src();
    s.line(0, "class " + CLASS_NAME + "(Module):");
    s.line(1, "__parameters__ = []");
    s.line(1, "__buffers__ = []");
    s.line(1, "training : bool");
    linear(s);
    layerNorm(s);
    attention(s);
    feedForward(s);
    layer(s);
    encode(s);
    mlmLoss(s);
    microStep(s);
    return s.toString();
  }

  // ---- helpers, one per block; architecture constants are written in as literals ----

  private String low(String x) {
    return precision == Precision.FP32 ? x : "torch.to(" + x + ", " + precision.scalarType + ")";
  }

  private static String f32(String x, Precision p) {
    return p == Precision.FP32 ? x : "torch.to(" + x + ", 6)";
  }

  private void linear(Src s) {
    s.def("lin", "x: Tensor, w: Tensor, b: Optional[Tensor]", "Tensor");
    if (precision == Precision.FP32) {
      s.line(2, "return torch.linear(x, w, b)");
    } else {
      s.line(2, "if b is None:");
      s.line(3, "return torch.linear(" + low("x") + ", " + low("w") + ", None)");
      s.line(2, "return torch.linear(" + low("x") + ", " + low("w") + ", " + low("b") + ")");
    }
  }

  private void layerNorm(Src s) {
    s.def("ln", "x: Tensor, w: Tensor, b: Tensor", "Tensor");
    s.line(2, "return torch.layer_norm(" + f32("x", precision) + ", [" + arch.hidden() + "], w, b, "
        + lit(arch.normEps()) + ", True)");
  }

  private void attention(Src s) {
    int h = arch.hidden();
    int nh = arch.heads();
    int hs = arch.headSize();
    s.def("attention",
        "x: Tensor, wqkv: Tensor, bqkv: Optional[Tensor], wo: Tensor, bo: Optional[Tensor], mask_bias: Optional[Tensor],"
            + " drop: bool",
        "Tensor");
    s.line(2, "b = x.size(0)");
    s.line(2, "t = x.size(1)");
    s.line(2, "qkv = torch.permute(torch.view(self.lin(x, wqkv, bqkv), [b, t, 3, " + nh + ", " + hs
        + "]), [2, 0, 3, 1, 4])  # (3, B, nh, T, hs)");
    s.line(2, "q, k, v = torch.unbind(qkv, 0)");
    // libtorch's fused attention (flash attention on CPU and GPU) when there is neither a mask nor dropout, as in
    // crammed pretraining; the written-out form otherwise. Both compute softmax(q k^T / sqrt(hs)) v.
    int in = 2;
    if (fusedAttention) {
      s.line(2, "if mask_bias is None and not drop:");
      s.line(3, "y = torch.scaled_dot_product_attention(q, k, v, None, 0.0, False, scale=" + lit(1.0 / Math.sqrt(hs))
          + ")");
      s.line(2, "else:");
      in = 3;
    }
    s.line(in, "scores = torch.mul(torch.matmul(q, torch.transpose(k, -2, -1)), " + lit(1.0 / Math.sqrt(hs))
        + ")  # (B, nh, T, T)");
    s.line(in, "if mask_bias is not None:");
    s.line(in + 1, "scores = torch.add(scores, mask_bias)");
    // Softmax in float32 under mixed precision; in fp32 mode no dtype is forced, so the program also runs in float64.
    // The cast is its own op, so autograd casts the gradient back to the low type: softmax's dtype argument would
    // hand a float32 gradient to the bf16 matmul before it, which TorchScript's backward refuses.
    s.line(in, "att = torch.softmax(" + f32("scores", precision) + ", -1)");
    s.line(in, "att = torch.dropout(att, " + lit(arch.dropout()) + ", drop)");
    s.line(in, "y = torch.matmul(" + low("att") + ", v)  # (B, nh, T, hs)");
    s.line(2, "y = torch.reshape(torch.transpose(y, 1, 2), [b, t, " + h + "])");
    s.line(2, "return self.lin(y, wo, bo)");
  }

  private void feedForward(Src s) {
    s.def("ffn", "x: Tensor, win: Tensor, bin: Optional[Tensor], wout: Tensor, bout: Optional[Tensor]", "Tensor");
    s.line(2, "h = self.lin(x, win, bin)");
    if (arch.ffn() == ArchConfig.FeedForward.GLU) {
      s.line(2, "halves = torch.chunk(h, 2, -1)  # (x, gate)");
      s.line(2, "h = torch.mul(torch.gelu(halves[1]), halves[0])");
    } else {
      s.line(2, "h = torch.gelu(h)");
    }
    s.line(2, "return self.lin(h, wout, bout)");
  }

  private void layer(Src s) {
    s.def("layer",
        "x: Tensor, n1w: Tensor, n1b: Tensor, wqkv: Tensor, bqkv: Optional[Tensor], wo: Tensor, bo: Optional[Tensor],"
            + " n2w: Tensor, n2b: Tensor, win: Tensor, bin: Optional[Tensor], wout: Tensor, bout: Optional[Tensor],"
            + " mask_bias: Optional[Tensor], drop: bool",
        "Tensor");
    String d = lit(arch.dropout());
    if (arch.norm() == ArchConfig.Norm.PRE) {
      // Branch outputs join the float32 residual stream through an explicit cast: an implicit promotion in torch.add
      // leaves a float32 gradient for the bf16 Linear behind it, which TorchScript's backward refuses under dropout.
      s.line(2, "a = " + f32("self.attention(self.ln(x, n1w, n1b), wqkv, bqkv, wo, bo, mask_bias, drop)", precision));
      s.line(2, "x = torch.add(x, torch.dropout(a, " + d + ", drop))");
      s.line(2, "f = " + f32("self.ffn(self.ln(x, n2w, n2b), win, bin, wout, bout)", precision));
      s.line(2, "return torch.add(x, torch.dropout(f, " + d + ", drop))");
    } else {
      s.line(2, "a = " + f32("self.attention(x, wqkv, bqkv, wo, bo, mask_bias, drop)", precision));
      s.line(2, "x = self.ln(torch.add(x, torch.dropout(a, " + d + ", drop)), n1w, n1b)");
      s.line(2, "f = " + f32("self.ffn(x, win, bin, wout, bout)", precision));
      s.line(2, "return self.ln(torch.add(x, torch.dropout(f, " + d + ", drop)), n2w, n2b)");
    }
  }

  private void encode(Src s) {
    s.def("encode", "p: List[Tensor], buf: List[Tensor], ids: Tensor, mask_bias: Optional[Tensor], drop: bool",
        "Tensor");
    s.line(2, "t = ids.size(1)");
    s.line(2, "x = torch.embedding(" + p("embedding.word.weight") + ", ids)  # (B, T, H)");
    if (arch.positions() == ArchConfig.Positions.SCALED_SINUSOIDAL) {
      int table = bufferNames.indexOf(CrammedBert.POSITION_TABLE);
      if (table < 0) {
        throw new IllegalArgumentException("scaled sinusoidal positions need buffer " + CrammedBert.POSITION_TABLE);
      }
      s.line(2, "x = torch.add(x, torch.mul(torch.slice(buf[" + table + "], 0, 0, t), "
          + p("embedding.position.scale") + "))");
    } else {
      s.line(2, "x = torch.add(x, torch.slice(" + p("embedding.position.weight") + ", 0, 0, t))");
    }
    if (arch.embeddingNorm()) {
      s.line(2, "x = self.ln(x, " + p("embedding.norm.weight") + ", " + p("embedding.norm.bias") + ")");
    }
    s.line(2, "x = torch.dropout(x, " + lit(arch.dropout()) + ", drop)");
    for (int i = 0; i < arch.layers(); i++) {
      String l = "encoder.layer." + i;
      s.line(2, "x = self.layer(x, " + String.join(", ",
          p(l + ".norm1.weight"), p(l + ".norm1.bias"),
          p(l + ".attention.qkv.weight"), opt(l + ".attention.qkv.bias"),
          p(l + ".attention.out.weight"), opt(l + ".attention.out.bias"),
          p(l + ".norm2.weight"), p(l + ".norm2.bias"),
          p(l + ".ffn.in.weight"), opt(l + ".ffn.in.bias"),
          p(l + ".ffn.out.weight"), opt(l + ".ffn.out.bias")) + ", mask_bias, drop)");
    }
    if (arch.finalNorm()) {
      s.line(2, "x = self.ln(x, " + p("encoder.final_norm.weight") + ", " + p("encoder.final_norm.bias") + ")");
    }
    s.line(2, "return x");
  }

  private void mlmLoss(Src s) {
    s.def("mlm_loss", "p: List[Tensor], buf: List[Tensor], ids: Tensor, positions: Tensor, labels: Tensor, drop: bool",
        "List[Tensor]");
    s.line(2, "h = torch.reshape(self.encode(p, buf, ids, None, drop), [-1, " + arch.hidden() + "])  # (B*T, H)");
    if (arch.sparsePrediction()) {
      s.line(2, "h = torch.index_select(h, 0, positions)  # (N, H): only the masked rows are decoded");
    }
    if (arch.headTransform()) {
      s.line(2, "h = self.ln(torch.gelu(self.lin(h, " + p("mlm.transform.weight") + ", " + opt("mlm.transform.bias")
          + ")), " + p("mlm.transform_norm.weight") + ", " + p("mlm.transform_norm.bias") + ")");
    }
    String decoder = arch.tiedDecoder() ? p("embedding.word.weight") : p("mlm.decoder.weight");
    s.line(2, "logits = self.lin(h, " + decoder + ", " + opt("mlm.decoder.bias") + ")");
    if (!arch.sparsePrediction()) {
      s.line(2, "logits = torch.index_select(logits, 0, positions)  # (N, V)");
    }
    s.line(2, "loss = torch.cross_entropy_loss(" + f32("logits", precision) + ", labels, None, 1, -100, 0.0)");
    s.line(2, "correct = torch.sum(torch.eq(torch.argmax(logits, -1), labels))  # argmax has no gradient");
    s.line(2, "return [loss, correct]");
  }

  private void microStep(Src s) {
    s.def("micro_step", "p: List[Tensor], buf: List[Tensor], ids: Tensor, positions: Tensor, labels: Tensor,"
        + " weight: float, scale: Tensor, stats: Tensor", "None");
    s.line(2, "out = self.mlm_loss(p, buf, ids, positions, labels, " + (arch.pretrainDropout() ? "True" : "False")
        + ")");
    s.line(2, "loss = out[0]");
    if (precision == Precision.FP16) {
      s.line(2, "torch.autograd.backward([torch.mul(torch.mul(loss, weight), scale)])");
    } else {
      s.line(2, "torch.autograd.backward([torch.mul(loss, weight)])");
    }
    s.line(2, "torch.select(stats, 0, 0).add_(torch.detach(loss))");
    s.line(2, "torch.select(stats, 0, 1).add_(out[1])");
  }

  private String p(String name) {
    Integer i = index.get(name);
    if (i == null) {
      throw new IllegalArgumentException("the model has no parameter " + name + " (architecture " + arch.name() + ")");
    }
    return "p[" + i + "]";
  }

  private String opt(String name) {
    return index.containsKey(name) ? p(name) : "None";
  }

  /** A float literal TorchScript reads back exactly (a double in the source, as in Python). */
  static String lit(double v) {
    return String.format(Locale.ROOT, "%.17g", v);
  }

  /** A tiny source builder: two-space indents, one method at a time. */
  private static final class Src {
    private final List<String> lines = new ArrayList<>();

    void line(int indent, String text) {
      lines.add("  ".repeat(indent) + text);
    }

    void def(String name, String args, String returns) {
      line(1, "def " + name + "(self: __torch__." + CLASS_NAME + ", " + args + ") -> " + returns + ":");
    }

    @Override
    public String toString() {
      return String.join("\n", lines) + "\n";
    }
  }
}
