package dev.cramjet.util;

/**
 * A small, fast, splittable-by-construction pseudo-random generator (Steele, Lea and Flood's SplitMix64): a 64-bit
 * counter stepped by the golden-ratio constant and passed through a bijective mixer. Its whole state is one
 * {@code long}, so it is trivial to save in a checkpoint ({@link #state()}) and to derive independent streams from a
 * seed and an index ({@link #forStream(long, long)}), which is how the MLM masker masks a row the same way after a
 * resume without saving any RNG state.
 *
 * <p>It is not cryptographic and not thread-safe: one instance per thread or per row.
 */
public final class SplitMix64 {
  private static final long GOLDEN_GAMMA = 0x9E3779B97F4A7C15L;

  private long state;
  // Box-Muller yields two normals per draw; the second is kept for the next call.
  private double spareGaussian;
  private boolean hasSpareGaussian;

  /** A generator whose counter starts at {@code seed}. */
  public SplitMix64(long seed) {
    this.state = seed;
  }

  /**
   * A generator for stream {@code index} of {@code seed}: the result depends only on (seed, index), and nearby seeds or
   * indices give unrelated sequences because both are mixed before they are combined.
   */
  public static SplitMix64 forStream(long seed, long index) {
    return new SplitMix64(mix64(seed) ^ mix64(index + GOLDEN_GAMMA));
  }

  /** The bijective 64-bit finaliser of SplitMix64 (variant 13 of Stafford's MurmurHash3 mixers). */
  public static long mix64(long z) {
    z = (z ^ (z >>> 30)) * 0xBF58476D1CE4E5B9L;
    z = (z ^ (z >>> 27)) * 0x94D049BB133111EBL;
    return z ^ (z >>> 31);
  }

  /** The counter; {@code new SplitMix64(g.state())} continues exactly where {@code g} is (a pending Gaussian is lost). */
  public long state() {
    return state;
  }

  /** 64 uniformly distributed bits. */
  public long nextLong() {
    state += GOLDEN_GAMMA;
    return mix64(state);
  }

  /** Uniform in [0, bound), without modulo bias (rejects the top partial range). */
  public int nextInt(int bound) {
    if (bound <= 0) {
      throw new IllegalArgumentException("bound must be positive, got " + bound);
    }
    // 31 non-negative bits; reject values from the final incomplete multiple of bound.
    while (true) {
      int bits = (int) (nextLong() >>> 33);
      int value = bits % bound;
      if (bits - value + (bound - 1) >= 0) {
        return value;
      }
    }
  }

  /** Uniform in [0, 1) with 24 random bits (every float of the form k / 2^24). */
  public float nextFloat() {
    return (nextLong() >>> 40) * 0x1.0p-24f;
  }

  /** Uniform in [0, 1) with 53 random bits. */
  public double nextDouble() {
    return (nextLong() >>> 11) * 0x1.0p-53;
  }

  /** Standard normal (mean 0, variance 1), by the Box-Muller transform. */
  public double nextGaussian() {
    if (hasSpareGaussian) {
      hasSpareGaussian = false;
      return spareGaussian;
    }
    // 1 - u is in (0, 1], so the logarithm is finite.
    double radius = Math.sqrt(-2.0 * Math.log(1.0 - nextDouble()));
    double angle = 2.0 * Math.PI * nextDouble();
    spareGaussian = radius * Math.sin(angle);
    hasSpareGaussian = true;
    return radius * Math.cos(angle);
  }
}
