package dev.cramjet.data;

/**
 * A row source that passes every call to another one; subclasses override what they change (the row count of a
 * slice, a read from a cache, an injected delay or failure).
 */
public abstract class ForwardingRowSource implements RowSource {
  protected final RowSource inner;

  protected ForwardingRowSource(RowSource inner) {
    this.inner = inner;
  }

  @Override
  public int seqLen() {
    return inner.seqLen();
  }

  @Override
  public long rows() {
    return inner.rows();
  }

  @Override
  public int vocabSize() {
    return inner.vocabSize();
  }

  @Override
  public void read(long index, int[] dst) {
    inner.read(index, dst);
  }
}
