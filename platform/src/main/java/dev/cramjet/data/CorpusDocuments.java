package dev.cramjet.data;

import dev.cramjet.util.BadInputException;
import java.nio.file.Path;
import java.util.Iterator;
import java.util.List;
import java.util.NoSuchElementException;
import java.util.concurrent.ArrayBlockingQueue;
import java.util.concurrent.BlockingQueue;

/**
 * The documents of a corpus as an iterator, for consumers that pull (the tokenizer trainer): the same readers, formats
 * and bad-file handling as {@code data prepare}, run on a background thread that stays at most a few hundred documents
 * ahead, so memory stays bounded whatever the corpus size. Unreadable documents are skipped (the readers log them);
 * once the iterator is exhausted, {@link #stats()} says what was read and skipped, and why.
 */
public final class CorpusDocuments implements Iterator<String> {
  private static final Object END = new Object();

  private final BlockingQueue<Object> queue = new ArrayBlockingQueue<>(256);
  private Object next;
  private volatile CorpusReader.Stats stats;

  private CorpusDocuments(CorpusFiles.Resolved files) {
    Thread t = new Thread(() -> {
      try {
        CorpusReader reader =
            new CorpusReader(PrepareConfig.DEFAULT_MAX_LINE_BYTES, PrepareConfig.DEFAULT_MAX_DOCUMENT_CHARS);
        stats = reader.read(files,
            new CorpusReader.Sink() {
              @Override
              public void document(String text) {
                put(text);
              }

              @Override
              public void unreadable(String where, String why) {}
            });
        put(END);
      } catch (RuntimeException e) {
        put(e);
      }
    }, "corpus-documents");
    t.setDaemon(true);
    t.start();
  }

  /** Documents of {@code inputs} (files, folders or globs, relative to {@code base}); fails at once on a bad path. */
  public static CorpusDocuments open(List<String> inputs, Path base) {
    return new CorpusDocuments(CorpusFiles.resolve(inputs, base));
  }

  /**
   * What reading found: files read and skipped, documents with text, blank and unreadable, with reasons; null until
   * {@link #hasNext()} has returned false.
   */
  public CorpusReader.Stats stats() {
    return next == END ? stats : null;
  }

  private void put(Object o) {
    try {
      queue.put(o);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
  }

  @Override
  public boolean hasNext() {
    if (next == null) {
      try {
        next = queue.take();
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        throw new IllegalStateException("interrupted while reading the corpus", e);
      }
      if (next instanceof BadInputException b) {
        throw new BadInputException(b.getMessage(), b);
      } else if (next instanceof RuntimeException r) {
        throw new IllegalStateException("reading the corpus failed: " + r.getMessage(), r);
      }
    }
    return next != END;
  }

  @Override
  public String next() {
    if (!hasNext()) {
      throw new NoSuchElementException();
    }
    String doc = (String) next;
    next = null;
    return doc;
  }
}
