package dev.cramjet.data;

import dev.cramjet.text.TextEncoder;

/**
 * What happens to each document between the tokenizer and the rows, for both {@code data prepare} ({@link
 * DataPreparer}) and raw-text mode ({@link RawTextPacker}). Documents are encoded anywhere ({@link #encode}, in
 * parallel if wanted) and then handed to {@link #add} in corpus order, which decides their fate, checked in this
 * order: blank (no tokens) is empty; an exact duplicate (same normalized text hash as an earlier document) is
 * duplicate when {@code dedup = exact}; the compression filter keeps a document iff tokens &lt; cutoff x characters;
 * the optional span dedup drops repeated stretches and counts a document left with nothing as duplicate; the rest is
 * kept and packed by {@link RowPacker} into the sink. Not thread-safe.
 */
public final class DocumentFilter {
  /** One document after encoding: its tokens (null when blank), code points and dedup hash (0 when not hashed). */
  public record Encoded(int[] tokens, long chars, long hash) {}

  /**
   * Encodes one document, hashing its normalized text when {@code hash} is set; safe to call from many threads with
   * one thread-safe encoder.
   */
  public static Encoded encode(TextEncoder encoder, String text, boolean hash) {
    long chars = text.codePointCount(0, text.length());
    if (text.isBlank()) {
      return new Encoded(null, chars, 0);
    }
    return new Encoded(encoder.encode(text), chars, hash ? TextHash.normalizedTextHash(text) : 0);
  }

  private final double cutoff;
  private final LongHashSet exactSeen;
  private final SpanDeduplicator span;
  private final RowPacker packer;
  private long kept, filtered, duplicate, empty, characters;

  /**
   * Packs kept documents into rows of {@code seqLen} for {@code sink}. Exact dedup remembers at most {@code
   * maxDedupEntries} hashes; {@code span} (null for none) is the optional repeated-span pass.
   */
  DocumentFilter(int seqLen, RowSink sink, double compressionCutoff, PrepareConfig.Dedup dedup, int maxDedupEntries,
      SpanDeduplicator span) {
    this.cutoff = compressionCutoff;
    this.exactSeen = dedup == PrepareConfig.Dedup.EXACT ? new LongHashSet(maxDedupEntries) : null;
    this.span = span;
    this.packer = new RowPacker(seqLen, sink);
  }

  /** Whether {@link #encode} must compute hashes for this filter. */
  boolean wantsHashes() {
    return exactSeen != null;
  }

  /** The next document in corpus order. */
  void add(Encoded d) {
    characters += d.chars();
    if (d.tokens() == null || d.tokens().length == 0) {
      empty++;
    } else if (exactSeen != null && !exactSeen.add(d.hash())) {
      duplicate++;
    } else if (!(d.tokens().length < cutoff * d.chars())) {
      filtered++;
    } else {
      int[] tokens = span == null ? d.tokens() : span.filter(d.tokens());
      if (tokens.length == 0) {
        duplicate++;
      } else {
        kept++;
        packer.add(tokens);
      }
    }
  }

  /** Drops the incomplete last row and returns how many tokens it held. */
  int finish() {
    return packer.finish();
  }

  /** Whether exact dedup hit its limit, so later duplicates of unremembered documents were missed. */
  boolean exactDedupSaturated() {
    return exactSeen != null && exactSeen.saturated();
  }

  /**
   * The documents so far by fate, with {@code unreadable} ones that never reached this filter added (see {@link
   * DocumentCounts}).
   */
  DocumentCounts counts(long unreadable) {
    return new DocumentCounts(documents() + unreadable, kept, filtered, duplicate, empty, unreadable);
  }

  /** Documents handed to {@link #add} so far. */
  long documents() {
    return kept + filtered + duplicate + empty;
  }

  long kept() {
    return kept;
  }

  /** Code points of every document handed in, whatever its fate. */
  long characters() {
    return characters;
  }

  /** Rows emitted so far. */
  long rows() {
    return packer.rows();
  }

  /** Tokens packed so far, [SEP]s included. */
  long tokens() {
    return packer.tokens();
  }
}
