package dev.cramjet.jit;

import java.util.Locale;

/**
 * The TorchScript source of the whole optimizer step: global-norm clipping and AdamW, for every parameter at once,
 * through libtorch's multi-tensor kernels ({@code _foreach_norm}, {@code _foreach_mul_}) and its fused AdamW ({@code
 * _fused_adamw_}, one pass over parameter, gradient and both moments). A step is one native call instead of a dozen
 * per parameter, and it never waits for the host: whether the step is skipped is decided on the device.
 *
 * <p>Method {@code step(pd, md, vd, pn, mn, vn, count, stats, scale, growth, lr, max_norm) -> List[Tensor]}, with grad
 * mode off; it returns the (zeroed) gradients, which keeps the JIT from dropping the in-place work on them:
 *
 * <ol>
 *   <li>reads the gradients of both groups ({@code pd} decays, {@code pn} does not); every parameter must have one
 *       (an undefined gradient reads as a tensor of no type here, not as None: {@code AdamW} gives each parameter a
 *       zero gradient up front);
 *   <li>takes the global L2 norm of all gradients (divided by {@code scale}, the loss scale, which is 1 unless fp16
 *       training scales the loss), and writes it to {@code stats[2]};
 *   <li>marks the step skipped ({@code stats[3] = 1}) when that norm or the summed loss {@code stats[0]} is not finite;
 *   <li>multiplies the gradients by {@code min(1, max_norm / (norm + 1e-6)) / scale} ({@code max_norm <= 0}: no
 *       clipping, unscaling only), as {@code torch.nn.utils.clip_grad_norm_} does;
 *   <li>unless skipped, adds 1 to {@code count} (the step number, float32, used for bias correction) and applies AdamW
 *       with torch.optim.AdamW's semantics: decoupled decay {@code p -= lr * wd * p} on the {@code pd} group only;
 *   <li>zeroes every gradient;
 *   <li>with fp16 loss scaling, updates {@code scale} and {@code growth} as torch's GradScaler does (halve on a skipped
 *       step, double after 2000 clean ones); {@code growth} counts the clean steps (float32, so that it is saved
 *       with the moments); {@code stats[4]} gets the scale the step's gradients carried.
 * </ol>
 */
public final class AdamWProgram {
  /** Class name in the archive. */
  public static final String CLASS_NAME = "CramjetAdamW";
  /** Consecutive finite steps after which the fp16 loss scale doubles (torch's GradScaler default). */
  public static final int GROWTH_INTERVAL = 2000;

  private AdamWProgram() {}

  /**
   * @param dynamicScale whether {@code scale} is a dynamic fp16 loss scale to update after the step
   */
  public static String source(double beta1, double beta2, double eps, double weightDecay, boolean dynamicScale) {
    String b1 = MlmProgram.lit(beta1);
    String b2 = MlmProgram.lit(beta2);
    String e = MlmProgram.lit(eps);
    String wd = MlmProgram.lit(weightDecay);
    String self = "self: __torch__." + CLASS_NAME;
    StringBuilder s = new StringBuilder();
    s.append("class ").append(CLASS_NAME).append("(Module):\n")
        .append("  __parameters__ = []\n  __buffers__ = []\n  training : bool\n")
        .append("  def grads(").append(self).append(", ps: List[Tensor]) -> List[Tensor]:\n")
        .append("    out: List[Tensor] = []\n")
        .append("    for q in ps:\n")
        .append("      g = q.grad\n")
        .append("      assert g is not None\n")
        .append("      out.append(g)\n")
        .append("    return out\n")
        .append("  def repeat(").append(self).append(", t: Tensor, n: int) -> List[Tensor]:\n")
        .append("    out: List[Tensor] = []\n")
        .append("    for i in range(n):\n")
        .append("      out.append(t)\n")
        .append("    return out\n")
        .append("  def step(").append(self).append(", pd: List[Tensor], md: List[Tensor], vd: List[Tensor],")
        .append(" pn: List[Tensor], mn: List[Tensor], vn: List[Tensor], count: Tensor, stats: Tensor,")
        .append(" scale: Tensor, growth: Tensor, lr: float, max_norm: float) -> List[Tensor]:\n")
        .append("    grad_was_on = torch.is_grad_enabled()\n")
        .append("    torch.set_grad_enabled(False)\n")
        .append("    if True:\n")
        .append("      gd = self.grads(pd)\n")
        .append("      gn = self.grads(pn)\n")
        .append("      g = gd + gn\n")
        .append("      total = torch.div(torch.linalg_vector_norm(torch.stack(torch._foreach_norm(g, 2.0)), 2.0),")
        .append(" scale)\n")
        .append("      bad = torch.logical_or(torch.logical_not(torch.isfinite(total)),")
        .append(" torch.logical_not(torch.isfinite(torch.select(stats, 0, 0))))\n")
        .append("      found = torch.to(bad, 6)\n")
        .append("      if max_norm > 0.0:\n")
        .append("        coef = torch.div(torch.clamp(torch.div(torch.full_like(total, max_norm), torch.add(total, 1e-6)),")
        .append(" None, 1.0), scale)\n")
        .append("      else:\n")
        .append("        coef = torch.reciprocal(scale)\n")
        .append("      torch._foreach_mul_(g, coef)\n")
        .append("      count.add_(torch.rsub(found, 1.0))\n")
        .append("      if len(pd) > 0:\n")
        .append(String.format(Locale.ROOT, "        torch._fused_adamw_(pd, gd, md, vd, [], self.repeat(count, len(pd)),"
            + " lr=lr, beta1=%s, beta2=%s, weight_decay=%s, eps=%s, amsgrad=False, maximize=False, grad_scale=None,"
            + " found_inf=found)\n", b1, b2, wd, e))
        .append("      if len(pn) > 0:\n")
        .append(String.format(Locale.ROOT, "        torch._fused_adamw_(pn, gn, mn, vn, [], self.repeat(count, len(pn)),"
            + " lr=lr, beta1=%s, beta2=%s, weight_decay=0.0, eps=%s, amsgrad=False, maximize=False, grad_scale=None,"
            + " found_inf=found)\n", b1, b2, e))
        .append("      torch._foreach_zero_(g)\n")
        .append("      torch.select(stats, 0, 4).copy_(scale)\n")
        .append("      torch.select(stats, 0, 2).copy_(total)\n")
        .append("      torch.select(stats, 0, 3).copy_(found)\n");
    if (dynamicScale) {
      s.append("      tracker = torch.to(growth, 3)\n")
          .append("      torch._amp_update_scale_(scale, tracker, found, 2.0, 0.5, ").append(GROWTH_INTERVAL).append(")\n")
          .append("      growth.copy_(tracker)\n");
    }
    s.append("    torch.set_grad_enabled(grad_was_on)\n");
    // Returned so that the in-place updates of the gradients stay: the JIT's alias analysis does not see that a
    // tensor read through .grad is the parameter's gradient, and drops in-place work on it whose result is unused.
    s.append("    return g\n");
    return s.toString();
  }
}
