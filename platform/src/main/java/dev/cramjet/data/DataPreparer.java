package dev.cramjet.data;

import dev.cramjet.util.AtomicFiles;
import com.fasterxml.jackson.core.JsonProcessingException;
import dev.cramjet.text.TextEncoder;
import dev.cramjet.util.BadInputException;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.stream.Stream;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Raw text to shards: reads the corpus ({@link CorpusReader}), tokenizes documents in batches on a thread pool,
 * then, in corpus order on the calling thread: exact dedup, compression filter, optional span dedup and packing
 * ({@link DocumentFilter}), ordering (curriculum or shuffle, spilled to temporary files) and shard writing, ending with
 * {@code manifest.json}. The output is the same for any thread count. Memory is bounded: a few batches of text in
 * flight, small per-bucket buffers, and the dedup hash sets capped at {@value #MAX_DEDUP_ENTRIES} entries each.
 *
 * <p>Everything is written into {@code OUT.partial} beside the output folder and renamed to {@code OUT} at the end,
 * so an interrupted run leaves no half-written dataset. It does not train a tokenizer.
 */
public final class DataPreparer {
  private static final Logger LOG = LoggerFactory.getLogger(DataPreparer.class);
  static final int MAX_DEDUP_ENTRIES = 24 << 20;
  private static final int BATCH_CHARS = 1 << 18;
  private static final int BATCH_DOCS = 2048;
  private static final long SHUFFLE_BUCKET_BYTES = 64L << 20;

  /** Told how far preparation got, every half second or so, and once at the end of reading. */
  public interface Progress {
    void update(long diskBytesRead, long diskBytesTotal, long rawBytes, long documents, long rows);
  }

  private final PrepareConfig config;
  private final TextEncoder encoder;
  private final String tokenizerHash;

  public DataPreparer(PrepareConfig config, TextEncoder encoder, String tokenizerHash) {
    this.config = config;
    this.encoder = encoder;
    this.tokenizerHash = tokenizerHash;
  }

  /**
   * Prepares the corpus into {@code outDir}, which must not exist or be empty. Inputs that are relative resolve
   * against {@code inputBase}.
   */
  public Manifest prepare(Path inputBase, Path outDir, Progress progress) {
    long started = System.nanoTime();
    outDir = outDir.toAbsolutePath().normalize();
    checkOutput(outDir);
    CorpusFiles.Resolved inputs = CorpusFiles.resolve(config.inputs(), inputBase);
    long diskTotal = 0;
    for (Path f : inputs.files()) diskTotal += sizeOf(f);
    Path work = outDir.resolveSibling(outDir.getFileName() + ".partial");
    AtomicFiles.deleteTreeUnchecked(work);
    try {
      return build(inputs, diskTotal, outDir, work, progress, started);
    } catch (RuntimeException | Error e) {
      try {
        AtomicFiles.deleteTreeUnchecked(work);
      } catch (RuntimeException suppressed) {
        e.addSuppressed(suppressed);
      }
      throw e;
    }
  }

  private Manifest build(
      CorpusFiles.Resolved inputs, long diskTotal, Path outDir, Path work, Progress progress, long started) {
    Path temp = work.resolve("tmp");
    try {
      Files.createDirectories(temp);
    } catch (IOException e) {
      throw new UncheckedIOException("cannot create " + temp, e);
    }
    int tokenBytes = ShardHeader.tokenBytesFor(encoder.vocabSize());
    Run run = new Run(work, temp, tokenBytes, diskTotal, progress);
    CorpusReader.Stats stats;
    try {
      stats = run.read(inputs);
    } finally {
      run.shutdown();
    }
    DocumentCounts counts = run.filter.counts(run.unreadable);
    long read = counts.read();
    if (counts.kept() == 0) {
      throw new BadInputException(
          "corpus " + config.inputs() + " gave no usable documents: " + stats.summary() + "; of the " + read
              + " documents, " + counts.filtered() + " filtered by the compression cutoff, " + counts.duplicate()
              + " duplicate, " + counts.empty() + " empty, " + counts.unreadable() + " unreadable (check the inputs "
              + "and the compression-cutoff); nothing written");
    }
    int dropped = run.filter.finish();
    List<ShardInfo> shards;
    try (ShardSetWriter writer = new ShardSetWriter(work, encoder.vocabSize(), config.seqLen(), config.shardRows())) {
      run.order.drainTo(writer);
      shards = writer.finish();
    } finally {
      run.order.close();
    }
    AtomicFiles.deleteTreeUnchecked(temp);
    if (run.filter.exactDedupSaturated()) {
      LOG.warn("exact dedup remembered only the first {} documents; later duplicates may remain", MAX_DEDUP_ENTRIES);
    }
    Manifest manifest =
        new Manifest(
            Manifest.FORMAT,
            ShardHeader.VERSION,
            config.seqLen(),
            encoder.vocabSize(),
            tokenBytes,
            config.order().name().toLowerCase(java.util.Locale.ROOT),
            stats.sources(),
            stats.skipped(),
            counts,
            stats.rawBytes(),
            run.filter.characters(),
            stats.invalidUtf8Replaced(),
            stats.controlBytesStripped(),
            run.filter.tokens(),
            run.span == null ? 0 : run.span.droppedTokens(),
            run.filter.rows(),
            dropped,
            tokenizerHash,
            configHash(config),
            config.hashedSettings(),
            shards,
            (System.nanoTime() - started) / 1e9);
    manifest.write(work);
    try {
      if (Files.isDirectory(outDir)) Files.delete(outDir); // checked empty above
      Files.move(work, outDir, StandardCopyOption.ATOMIC_MOVE);
      AtomicFiles.fsyncDir(outDir.getParent());
    } catch (IOException e) {
      throw new UncheckedIOException("cannot move " + work + " to " + outDir, e);
    }
    return manifest;
  }

  /** SHA-256 of the settings that decide the output (see {@link PrepareConfig#hashedSettings()}). */
  public static String configHash(PrepareConfig config) {
    try {
      return dev.cramjet.util.Hashing.sha256(Manifest.JSON.writeValueAsString(config.hashedSettings()));
    } catch (JsonProcessingException e) {
      throw new IllegalStateException(e);
    }
  }

  /** The state of one preparation. */
  private final class Run implements CorpusReader.Sink {
    final ExecutorService pool;
    final ArrayDeque<Future<List<DocumentFilter.Encoded>>> inFlight = new ArrayDeque<>();
    final RowOrder order;
    final SpanDeduplicator span;
    final DocumentFilter filter;
    final long diskTotal;
    final Progress progress;
    CorpusReader reader;
    List<String> batch = new ArrayList<>();
    long batchChars;
    long unreadable;
    long lastReport = System.nanoTime();

    Run(Path work, Path temp, int tokenBytes, long diskTotal, Progress progress) {
      this.pool =
          Executors.newFixedThreadPool(
              config.threads(),
              r -> {
                Thread t = new Thread(r, "cramjet-prepare");
                t.setDaemon(true);
                return t;
              });
      this.order =
          config.order() == PrepareConfig.Order.CURRICULUM
              ? new CurriculumOrder(temp, config.seqLen(), tokenBytes, encoder.idOf("."))
              : new ShuffleOrder(temp, config.seqLen(), tokenBytes, config.seed(), SHUFFLE_BUCKET_BYTES);
      if (config.order() == PrepareConfig.Order.CURRICULUM && encoder.idOf(".") < 0) {
        LOG.warn("the vocabulary has no \".\" token: the curriculum keeps corpus order");
      }
      this.span = config.spanDedup() ? new SpanDeduplicator(config.spanWindow(), MAX_DEDUP_ENTRIES) : null;
      this.filter = new DocumentFilter(config.seqLen(), order, config.compressionCutoff(), config.dedup(),
          MAX_DEDUP_ENTRIES, span);
      this.diskTotal = diskTotal;
      this.progress = progress;
    }

    CorpusReader.Stats read(CorpusFiles.Resolved inputs) {
      reader = new CorpusReader(config.maxLineBytes(), config.maxDocumentChars());
      CorpusReader.Stats stats = reader.read(inputs, this);
      submit();
      while (!inFlight.isEmpty()) consume(inFlight.poll());
      report(stats.rawBytes());
      return stats;
    }

    @Override
    public void document(String text) {
      batch.add(text);
      batchChars += text.length();
      if (batchChars >= BATCH_CHARS || batch.size() >= BATCH_DOCS) submit();
    }

    @Override
    public void unreadable(String where, String why) {
      unreadable++;
    }

    private void submit() {
      if (batch.isEmpty()) return;
      List<String> docs = batch;
      batch = new ArrayList<>();
      batchChars = 0;
      boolean hash = filter.wantsHashes();
      inFlight.add(pool.submit(() -> encodeAll(docs, hash)));
      while (inFlight.size() > 2 * config.threads()) consume(inFlight.poll());
      if (progress != null && System.nanoTime() - lastReport > 500_000_000L) report(-1);
    }

    private void report(long rawBytes) {
      lastReport = System.nanoTime();
      if (progress != null) {
        progress.update(reader.diskBytesRead(), diskTotal, rawBytes,
            filter.documents() + unreadable, filter.rows());
      }
    }

    private void consume(Future<List<DocumentFilter.Encoded>> future) {
      List<DocumentFilter.Encoded> docs;
      try {
        docs = future.get();
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        throw new IllegalStateException("interrupted while preparing data", e);
      } catch (ExecutionException e) {
        if (e.getCause() instanceof RuntimeException re) throw re;
        throw new IllegalStateException("tokenization failed", e.getCause());
      }
      for (DocumentFilter.Encoded d : docs) filter.add(d);
    }

    void shutdown() {
      pool.shutdownNow();
    }
  }

  private List<DocumentFilter.Encoded> encodeAll(List<String> docs, boolean hash) {
    List<DocumentFilter.Encoded> out = new ArrayList<>(docs.size());
    for (String text : docs) out.add(DocumentFilter.encode(encoder, text, hash));
    return out;
  }

  private static void checkOutput(Path outDir) {
    if (Files.isRegularFile(outDir)) throw new BadInputException("output " + outDir + " is a file, expected a folder");
    if (Files.isDirectory(outDir)) {
      try (Stream<Path> s = Files.list(outDir)) {
        if (s.findAny().isPresent()) {
          throw new BadInputException("output folder " + outDir + " is not empty; remove it or choose another --out");
        }
      } catch (IOException e) {
        throw new UncheckedIOException(e);
      }
    }
    try {
      Files.createDirectories(outDir.getParent());
    } catch (IOException e) {
      throw new UncheckedIOException("cannot create " + outDir.getParent(), e);
    }
  }

  private static long sizeOf(Path f) {
    try {
      return Files.size(f);
    } catch (IOException e) {
      return 0;
    }
  }
}
