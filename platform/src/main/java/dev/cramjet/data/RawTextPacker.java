package dev.cramjet.data;

import dev.cramjet.text.TextEncoder;
import java.util.List;

/**
 * The sequential half of raw-text mode: documents that were encoded elsewhere (in parallel, see {@link #encode}) are
 * handed in corpus order and filtered and packed exactly as {@link DataPreparer} does before ordering: blank documents
 * are counted empty, exact duplicates (by normalized text hash) are dropped when {@code dedup = exact}, the
 * compression filter keeps a document iff tokens &lt; cutoff x characters, and kept documents go through
 * {@link RowPacker} into {@link MemoryRows}. Not thread-safe.
 */
public final class RawTextPacker {
  /** One document after encoding: its tokens (null when blank), code points and dedup hash. */
  public record Encoded(int[] tokens, long chars, long hash) {}

  /** Encodes one document; safe to call from many threads with one thread-safe encoder. */
  public static Encoded encode(TextEncoder encoder, String text, boolean hash) {
    long chars = text.codePointCount(0, text.length());
    if (text.isBlank()) {
      return new Encoded(null, chars, 0);
    }
    return new Encoded(encoder.encode(text), chars, hash ? TextHash.normalizedTextHash(text) : 0);
  }

  private final double cutoff;
  private final LongHashSet seen;
  private final MemoryRows rows;
  private final RowPacker packer;
  private long kept, filtered, duplicate, empty, characters;

  public RawTextPacker(int seqLen, int vocabSize, double compressionCutoff, PrepareConfig.Dedup dedup) {
    this.cutoff = compressionCutoff;
    this.seen = dedup == PrepareConfig.Dedup.EXACT ? new LongHashSet(DataPreparer.MAX_DEDUP_ENTRIES) : null;
    this.rows = new MemoryRows(seqLen, vocabSize);
    this.packer = new RowPacker(seqLen, rows);
  }

  /** Whether {@link #encode} must compute hashes for this packer. */
  public boolean wantsHashes() {
    return seen != null;
  }

  /** The next documents in corpus order. */
  public void add(List<Encoded> docs) {
    for (Encoded d : docs) {
      characters += d.chars();
      if (d.tokens() == null || d.tokens().length == 0) {
        empty++;
      } else if (seen != null && !seen.add(d.hash())) {
        duplicate++;
      } else if (!(d.tokens().length < cutoff * d.chars())) {
        filtered++;
      } else {
        kept++;
        packer.add(d.tokens());
      }
    }
  }

  /** Drops the incomplete last row; returns the rows. */
  public MemoryRows finish() {
    packer.finish();
    return rows;
  }

  /** Documents so far by fate (unreadable ones never reach the packer, so that count is 0). */
  public DocumentCounts counts() {
    return new DocumentCounts(kept + filtered + duplicate + empty, kept, filtered, duplicate, empty, 0);
  }

  public long characters() {
    return characters;
  }

  public long rows() {
    return packer.rows();
  }
}
