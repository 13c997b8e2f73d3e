package dev.cramjet.data;

import java.util.List;
import java.util.Map;
import java.util.TreeMap;

/**
 * Settings of {@link DataPreparer}, validated on construction. Paths in {@code inputs} are files, folders or globs
 * (see {@link CorpusFiles}). {@code threads} only changes speed: the output is the same for any thread count, so it
 * is left out of {@link #hashedSettings()}.
 *
 * @param inputs corpus files, folders or globs
 * @param seqLen tokens per row
 * @param compressionCutoff keep a document iff tokens &lt; cutoff x characters
 * @param dedup exact duplicate documents dropped or not
 * @param spanDedup drop repeated spans of at least {@code spanWindow + spanWindow / 2 - 1} tokens seen earlier
 * @param spanWindow tokens per hashed window of the span pass
 * @param order row order in the shards
 * @param seed seed of the shuffle (unused for the curriculum)
 * @param threads tokenizer threads
 * @param shardRows rows per shard file (the last one may hold fewer)
 * @param maxLineBytes longer input lines are counted unreadable
 * @param maxDocumentChars longer plain-text documents are cut into pieces at line ends
 */
public record PrepareConfig(
    List<String> inputs,
    int seqLen,
    double compressionCutoff,
    Dedup dedup,
    boolean spanDedup,
    int spanWindow,
    Order order,
    long seed,
    int threads,
    int shardRows,
    int maxLineBytes,
    int maxDocumentChars) {

  /** Whole-document deduplication. */
  public enum Dedup {
    EXACT,
    NONE
  }

  /** Row order in the shards. */
  public enum Order {
    /** Rows sorted by their count of "." tokens, descending; ties keep corpus order. */
    CURRICULUM,
    /** A seeded random permutation. */
    SHUFFLE
  }

  public static final int DEFAULT_SEQ_LEN = 128;
  public static final double DEFAULT_CUTOFF = 0.25;
  public static final int DEFAULT_SPAN_WINDOW = 50;
  public static final int DEFAULT_SHARD_ROWS = 1 << 18;
  public static final int DEFAULT_MAX_LINE_BYTES = 16 << 20;
  public static final int DEFAULT_MAX_DOCUMENT_CHARS = 1 << 20;

  public PrepareConfig {
    inputs = List.copyOf(inputs);
    if (inputs.isEmpty()) throw new IllegalArgumentException("inputs must list at least one file, folder or glob");
    if (seqLen < 2 || seqLen > 65536) throw new IllegalArgumentException("seq-len must be in [2, 65536]: " + seqLen);
    if (!(compressionCutoff > 0) || compressionCutoff > 100) {
      throw new IllegalArgumentException("compression-cutoff must be in (0, 100]: " + compressionCutoff);
    }
    if (dedup == null) throw new IllegalArgumentException("dedup must be exact or none");
    if (order == null) throw new IllegalArgumentException("order must be curriculum or shuffle");
    if (spanWindow < 4) throw new IllegalArgumentException("span-window must be >= 4: " + spanWindow);
    if (threads < 1 || threads > 256) throw new IllegalArgumentException("threads must be in [1, 256]: " + threads);
    if (shardRows < 1) throw new IllegalArgumentException("shard-rows must be >= 1: " + shardRows);
    if ((long) shardRows * seqLen * 4 > ShardWriter.MAX_PAYLOAD_BYTES) {
      throw new IllegalArgumentException("shard-rows (" + shardRows + ") x seq-len (" + seqLen + ") is too large for "
          + "one shard file (2 GiB)");
    }
    if (maxLineBytes < 1024) throw new IllegalArgumentException("max-line-bytes must be >= 1024: " + maxLineBytes);
    if (maxDocumentChars < 16) throw new IllegalArgumentException("max-document-chars must be >= 16: " + maxDocumentChars);
  }

  /** The defaults of the paper's recipe for these inputs, on all available cores. */
  public static PrepareConfig defaults(List<String> inputs) {
    return new PrepareConfig(inputs, DEFAULT_SEQ_LEN, DEFAULT_CUTOFF, Dedup.EXACT, false, DEFAULT_SPAN_WINDOW,
        Order.CURRICULUM, 0, Runtime.getRuntime().availableProcessors(), DEFAULT_SHARD_ROWS,
        DEFAULT_MAX_LINE_BYTES, DEFAULT_MAX_DOCUMENT_CHARS);
  }

  public PrepareConfig withInputs(List<String> v) {
    return new PrepareConfig(v, seqLen, compressionCutoff, dedup, spanDedup, spanWindow, order, seed, threads,
        shardRows, maxLineBytes, maxDocumentChars);
  }

  public PrepareConfig withSeqLen(int v) {
    return new PrepareConfig(inputs, v, compressionCutoff, dedup, spanDedup, spanWindow, order, seed, threads,
        shardRows, maxLineBytes, maxDocumentChars);
  }

  public PrepareConfig withOrder(Order v, long seedValue) {
    return new PrepareConfig(inputs, seqLen, compressionCutoff, dedup, spanDedup, spanWindow, v, seedValue, threads,
        shardRows, maxLineBytes, maxDocumentChars);
  }

  public PrepareConfig withDedup(Dedup v, boolean span, int window) {
    return new PrepareConfig(inputs, seqLen, compressionCutoff, v, span, window, order, seed, threads, shardRows,
        maxLineBytes, maxDocumentChars);
  }

  public PrepareConfig withCutoff(double v) {
    return new PrepareConfig(inputs, seqLen, v, dedup, spanDedup, spanWindow, order, seed, threads, shardRows,
        maxLineBytes, maxDocumentChars);
  }

  public PrepareConfig withThreads(int v) {
    return new PrepareConfig(inputs, seqLen, compressionCutoff, dedup, spanDedup, spanWindow, order, seed, v,
        shardRows, maxLineBytes, maxDocumentChars);
  }

  public PrepareConfig withShardRows(int v) {
    return new PrepareConfig(inputs, seqLen, compressionCutoff, dedup, spanDedup, spanWindow, order, seed, threads,
        v, maxLineBytes, maxDocumentChars);
  }

  /** The settings that decide the output, by their config key, sorted: what the config hash covers. */
  public Map<String, Object> hashedSettings() {
    Map<String, Object> m = new TreeMap<>();
    m.put("inputs", inputs);
    m.put("seq-len", seqLen);
    m.put("compression-cutoff", compressionCutoff);
    m.put("dedup", dedup.name().toLowerCase(java.util.Locale.ROOT));
    m.put("span-dedup", spanDedup);
    m.put("span-window", spanWindow);
    m.put("order", order.name().toLowerCase(java.util.Locale.ROOT));
    m.put("seed", seed);
    m.put("shard-rows", shardRows);
    m.put("max-line-bytes", maxLineBytes);
    m.put("max-document-chars", maxDocumentChars);
    return m;
  }
}
