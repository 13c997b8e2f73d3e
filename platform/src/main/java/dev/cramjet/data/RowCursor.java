package dev.cramjet.data;

/**
 * Where a reader stands in a {@link RowSource}: the next row index and how many full passes are done. It is a plain
 * value; the trainer saves it in checkpoints and resumes from it. Advancing past the last row wraps to row 0 and
 * counts an epoch.
 */
public record RowCursor(long position, long epoch) {
  public RowCursor {
    if (position < 0) throw new IllegalArgumentException("position must be >= 0: " + position);
    if (epoch < 0) throw new IllegalArgumentException("epoch must be >= 0: " + epoch);
  }

  /** The start of the first pass. */
  public static RowCursor start() {
    return new RowCursor(0, 0);
  }

  /** The cursor after consuming one row of a source with {@code rows} rows. */
  public RowCursor next(long rows) {
    return advance(1, rows);
  }

  /** The cursor after consuming {@code count} rows of a source with {@code rows} rows, wrapping as often as needed. */
  public RowCursor advance(long count, long rows) {
    if (rows <= 0) throw new IllegalArgumentException("source has no rows");
    if (count < 0) throw new IllegalArgumentException("count must be >= 0: " + count);
    if (position >= rows) throw new IllegalArgumentException("position " + position + " beyond " + rows + " rows");
    long total = position + count;
    return new RowCursor(total % rows, epoch + total / rows);
  }
}
