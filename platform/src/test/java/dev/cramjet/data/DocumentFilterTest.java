package dev.cramjet.data;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.cramjet.text.SpecialTokens;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

/** The per-document fates and the packing that {@code data prepare} and raw-text mode share. */
class DocumentFilterTest {
  private static final int SEP = SpecialTokens.SEP_ID;

  /** Copies each row, since the packer reuses its array. */
  private final List<int[]> rows = new ArrayList<>();
  private final RowSink sink = row -> rows.add(row.clone());

  private DocumentFilter filter(int seqLen, double cutoff, PrepareConfig.Dedup dedup, SpanDeduplicator span) {
    return new DocumentFilter(seqLen, sink, cutoff, dedup, 1 << 10, span);
  }

  private static DocumentFilter.Encoded doc(long chars, long hash, int... tokens) {
    return new DocumentFilter.Encoded(tokens, chars, hash);
  }

  @Test
  void blankAndTokenlessDocumentsAreEmptyAndPackNothing() {
    DocumentFilter f = filter(4, 1.0, PrepareConfig.Dedup.EXACT, null);
    f.add(new DocumentFilter.Encoded(null, 3, 0));
    f.add(doc(2, 0));
    assertEquals(new DocumentCounts(2, 0, 0, 0, 2, 0), f.counts(0));
    assertEquals(5, f.characters(), "characters count whatever the fate");
    assertEquals(0, f.tokens());
    assertEquals(0, f.finish());
    assertTrue(rows.isEmpty());
  }

  @Test
  void exactDedupDropsARepeatedHashOnlyWhenAsked() {
    DocumentFilter exact = filter(64, 1.0, PrepareConfig.Dedup.EXACT, null);
    assertTrue(exact.wantsHashes());
    exact.add(doc(10, 42, 7, 8));
    exact.add(doc(10, 43, 9));
    exact.add(doc(10, 42, 7, 8));
    assertEquals(new DocumentCounts(3, 2, 0, 1, 0, 0), exact.counts(0));
    assertEquals(5, exact.tokens(), "two kept documents and their [SEP]s");
    assertFalse(exact.exactDedupSaturated());

    DocumentFilter none = filter(64, 1.0, PrepareConfig.Dedup.NONE, null);
    assertFalse(none.wantsHashes());
    none.add(doc(10, 42, 7, 8));
    none.add(doc(10, 42, 7, 8));
    assertEquals(new DocumentCounts(2, 2, 0, 0, 0, 0), none.counts(0));
  }

  @Test
  void exactDedupReportsSaturation() {
    DocumentFilter f = new DocumentFilter(64, sink, 1.0, PrepareConfig.Dedup.EXACT, 2, null);
    f.add(doc(10, 1, 5));
    f.add(doc(10, 2, 5));
    assertFalse(f.exactDedupSaturated());
    f.add(doc(10, 3, 5));
    assertTrue(f.exactDedupSaturated());
    f.add(doc(10, 3, 5)); // not remembered, so not caught
    assertEquals(4, f.counts(0).kept());
  }

  @Test
  void compressionCutoffKeepsOnlyTokensBelowCutoffTimesCharacters() {
    DocumentFilter f = filter(64, 0.5, PrepareConfig.Dedup.NONE, null);
    f.add(doc(10, 0, 1, 2, 3, 4, 5)); // 5 tokens, not < 0.5 x 10: filtered
    f.add(doc(10, 0, 1, 2, 3, 4, 5, 6)); // 6: filtered
    f.add(doc(10, 0, 1, 2, 3, 4)); // 4 < 5: kept
    assertEquals(new DocumentCounts(3, 1, 2, 0, 0, 0), f.counts(0));
    assertEquals(5, f.tokens());
    assertEquals(30, f.characters());
  }

  @Test
  void emptyIsCheckedBeforeDuplicateAndDuplicateBeforeTheCutoff() {
    DocumentFilter f = filter(64, 0.5, PrepareConfig.Dedup.EXACT, null);
    f.add(doc(1, 9)); // no tokens: empty, and its hash is not remembered
    f.add(doc(10, 9, 1)); // kept
    f.add(doc(2, 9, 1, 2, 3)); // same hash, would also fail the cutoff: duplicate
    assertEquals(new DocumentCounts(3, 1, 0, 1, 1, 0), f.counts(0));
  }

  @Test
  void spanDedupCountsADocumentLeftWithNothingAsDuplicateAndPacksWhatSurvives() {
    DocumentFilter f = filter(64, 1.0, PrepareConfig.Dedup.NONE, new SpanDeduplicator(2, 1 << 10));
    f.add(doc(10, 0, 11, 12, 13));
    f.add(doc(10, 0, 11, 12, 13)); // every window seen before: nothing left
    f.add(doc(10, 0, 11, 12, 13, 50, 51)); // the repeat is dropped, 50 51 stay
    assertEquals(new DocumentCounts(3, 2, 0, 1, 0, 0), f.counts(0));
    assertEquals(4 + 3, f.tokens());
  }

  @Test
  void packsDocumentsWithSepAcrossRowBoundariesAndDropsTheTail() {
    DocumentFilter f = filter(4, 1.0, PrepareConfig.Dedup.NONE, null);
    f.add(doc(10, 0, 10, 11, 12)); // exactly one row with its [SEP]
    assertEquals(1, f.rows());
    f.add(doc(10, 0, 20, 21, 22, 23, 24)); // spans a row boundary
    f.add(doc(10, 0, 30)); // ends a row with its [SEP]
    f.add(doc(10, 0, 40)); // left over
    assertEquals(3, f.rows());
    assertEquals(4 + 6 + 2 + 2, f.tokens());
    assertEquals(2, f.finish(), "the incomplete last row is dropped");
    assertEquals(3, rows.size());
    assertArrayEquals(new int[] {10, 11, 12, SEP}, rows.get(0));
    assertArrayEquals(new int[] {20, 21, 22, 23}, rows.get(1));
    assertArrayEquals(new int[] {24, SEP, 30, SEP}, rows.get(2));
  }

  @Test
  void countsAddUnreadableDocumentsThatNeverReachedTheFilter() {
    DocumentFilter f = filter(64, 1.0, PrepareConfig.Dedup.NONE, null);
    f.add(doc(10, 0, 1));
    assertEquals(1, f.documents());
    assertEquals(new DocumentCounts(4, 1, 0, 0, 0, 3), f.counts(3));
  }

  @Test
  void encodeCountsCodePointsAndHashesOnlyWhenAsked() {
    TestEncoder enc = new TestEncoder();
    DocumentFilter.Encoded blank = DocumentFilter.encode(enc, " \n\t", true);
    assertNull(blank.tokens());
    assertEquals(3, blank.chars());
    assertEquals(0, blank.hash());

    String text = "a b \uD83D\uDE00"; // the emoji is two chars but one code point
    DocumentFilter.Encoded hashed = DocumentFilter.encode(enc, text, true);
    assertArrayEquals(enc.encode(text), hashed.tokens());
    assertEquals(5, hashed.chars());
    assertEquals(TextHash.normalizedTextHash(text), hashed.hash());
    assertNotEquals(0, hashed.hash());
    assertEquals(hashed.hash(), DocumentFilter.encode(enc, "  a   b \uD83D\uDE00\n", true).hash(),
        "re-wrapped copies collide");
    assertEquals(0, DocumentFilter.encode(enc, text, false).hash());
  }
}
