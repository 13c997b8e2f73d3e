package dev.cramjet.data;

import java.util.List;

/**
 * The sequential half of raw-text mode: documents that were encoded elsewhere (in parallel, see {@link
 * DocumentFilter#encode}) are handed in corpus order and filtered and packed exactly as {@link DataPreparer} does
 * before ordering, by the same {@link DocumentFilter} (without span dedup), into {@link MemoryRows}. Not thread-safe.
 */
public final class RawTextPacker {
  private final MemoryRows rows;
  private final DocumentFilter filter;

  public RawTextPacker(int seqLen, int vocabSize, double compressionCutoff, PrepareConfig.Dedup dedup) {
    this.rows = new MemoryRows(seqLen, vocabSize);
    this.filter = new DocumentFilter(seqLen, rows, compressionCutoff, dedup, DataPreparer.MAX_DEDUP_ENTRIES, null);
  }

  /** Whether {@link DocumentFilter#encode} must compute hashes for this packer. */
  public boolean wantsHashes() {
    return filter.wantsHashes();
  }

  /** The next documents in corpus order. */
  public void add(List<DocumentFilter.Encoded> docs) {
    for (DocumentFilter.Encoded d : docs) filter.add(d);
  }

  /** Drops the incomplete last row; returns the rows. */
  public MemoryRows finish() {
    filter.finish();
    return rows;
  }

  /** Documents so far by fate (unreadable ones never reach the packer, so that count is 0). */
  public DocumentCounts counts() {
    return filter.counts(0);
  }

  public long characters() {
    return filter.characters();
  }

  public long rows() {
    return filter.rows();
  }
}
