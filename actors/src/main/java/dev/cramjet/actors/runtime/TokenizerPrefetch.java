package dev.cramjet.actors.runtime;

import com.typesafe.config.ConfigFactory;
import com.typesafe.config.ConfigValueFactory;
import dev.cramjet.config.RunConfig;
import dev.cramjet.data.CorpusDocuments;
import dev.cramjet.data.CorpusFiles;
import dev.cramjet.data.DocumentCounts;
import dev.cramjet.data.DocumentFilter;
import dev.cramjet.data.MemoryRows;
import dev.cramjet.data.RawTextPacker;
import dev.cramjet.data.RawTextSettings;
import dev.cramjet.data.RunData;
import dev.cramjet.text.TextEncoder;
import dev.cramjet.text.WordPieceTokenizer;
import dev.cramjet.util.BadInputException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import java.util.Locale;
import java.util.TreeMap;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.apache.pekko.actor.typed.ActorRef;
import org.apache.pekko.actor.typed.ActorSystem;
import org.apache.pekko.actor.typed.Behavior;
import org.apache.pekko.actor.typed.DispatcherSelector;
import org.apache.pekko.actor.typed.javadsl.ActorContext;
import org.apache.pekko.actor.typed.javadsl.Behaviors;

/**
 * The TokenizerPrefetch pool of raw-text mode ({@code run.raw-text}): a coordinator reads documents in corpus order,
 * cuts them into batches (about 256 K characters or {@code batchDocs} documents, 2048 in a run) and hands batch {@code k} to worker
 * {@code k mod n}; the workers encode in parallel ({@link DocumentFilter#encode}), and the coordinator puts the answers
 * back in batch order before filtering and packing them ({@link RawTextPacker}). At most two batches per worker are in
 * flight, so memory stays bounded by the rows. The packed rows are therefore the same, at the same indices, for any
 * pool size and any timing.
 *
 * <p>The rows are packed when the run starts and held in memory ({@link MemoryRows}: 4 bytes per token), so the
 * trainer's cursor addresses them by global index and the held-out split sits at the end, as with shards. A resumed
 * run tokenizes the same inputs again and gets the same rows at the same indices (the checkpoint's cursor stays
 * valid). This suits corpora up to a few hundred MB of text; for more, prepare shards once with {@code data prepare}.
 */
public final class TokenizerPrefetch {
  static final int BATCH_CHARS = 1 << 18;
  static final int BATCH_DOCS = 2048;

  private TokenizerPrefetch() {}

  /** What the coordinator accepts. */
  public sealed interface Command permits Pump, Encoded, WorkerStopped {}

  private enum Pump implements Command { INSTANCE }

  /** A worker's answer: batch {@code seq}, encoded. */
  record Encoded(long seq, List<DocumentFilter.Encoded> docs) implements Command {}

  private record WorkerStopped(int worker) implements Command {}

  /** A batch for a worker. */
  record Encode(long seq, List<String> docs, ActorRef<Command> replyTo) {}

  /**
   * The result: the rows (null on error), documents by fate, characters read, seconds and the error, if any.
   */
  public record Packed(MemoryRows rows, DocumentCounts counts, long characters, double seconds, int workers,
      String error) {}

  /** A worker: encodes batches with {@code encoder} (thread-safe, shared by all workers). */
  static Behavior<Encode> worker(TextEncoder encoder, boolean hashes) {
    return Behaviors.receive(Encode.class)
        .onMessage(Encode.class, e -> {
          List<DocumentFilter.Encoded> out = new ArrayList<>(e.docs().size());
          for (String text : e.docs()) {
            out.add(DocumentFilter.encode(encoder, text, hashes));
          }
          e.replyTo().tell(new Encoded(e.seq(), out));
          return Behaviors.same();
        })
        .build();
  }

  /**
   * The coordinator: reads {@code docs} (it blocks on the reader, so spawn it on the blocking dispatcher), spawns
   * {@code workers} workers, and tells {@code replyTo} the packed rows once the documents are exhausted.
   */
  public static Behavior<Command> create(Iterator<String> docs, TextEncoder encoder, RawTextPacker packer,
      int workers, int batchDocs, ActorRef<Packed> replyTo) {
    if (workers < 1) {
      throw new IllegalArgumentException("a pool needs at least one worker, got " + workers);
    }
    return Behaviors.setup(ctx -> new Coordinator(ctx, docs, encoder, packer, workers, batchDocs, replyTo).start());
  }

  private static final class Coordinator {
    private final ActorContext<Command> ctx;
    private final Iterator<String> docs;
    private final RawTextPacker packer;
    private final ActorRef<Packed> replyTo;
    private final int batchDocs;
    private final List<ActorRef<Encode>> pool = new ArrayList<>();
    private final TreeMap<Long, List<DocumentFilter.Encoded>> arrived = new TreeMap<>();
    private final long started = System.nanoTime();
    private long sent;
    private long packed;
    private boolean exhausted;

    Coordinator(ActorContext<Command> ctx, Iterator<String> docs, TextEncoder encoder, RawTextPacker packer,
        int workers, int batchDocs, ActorRef<Packed> replyTo) {
      this.ctx = ctx;
      this.batchDocs = batchDocs;
      this.docs = docs;
      this.packer = packer;
      this.replyTo = replyTo;
      for (int i = 0; i < workers; i++) {
        ActorRef<Encode> w = ctx.spawn(worker(encoder, packer.wantsHashes()), "tokenizer-" + i);
        ctx.watchWith(w, new WorkerStopped(i));
        pool.add(w);
      }
    }

    Behavior<Command> start() {
      ctx.getSelf().tell(Pump.INSTANCE);
      return Behaviors.receive(Command.class)
          .onMessageEquals(Pump.INSTANCE, this::pump)
          .onMessage(Encoded.class, this::onEncoded)
          .onMessage(WorkerStopped.class, w -> fail("tokenizer worker " + w.worker() + " failed (see the log)"))
          .build();
    }

    /** Sends batches until two per worker are in flight or the documents run out. */
    private Behavior<Command> pump() {
      try {
        while (!exhausted && sent - packed < 2L * pool.size()) {
          List<String> batch = new ArrayList<>();
          long chars = 0;
          while (chars < BATCH_CHARS && batch.size() < batchDocs && docs.hasNext()) {
            String d = docs.next();
            batch.add(d);
            chars += d.length();
          }
          if (batch.isEmpty()) {
            exhausted = true;
          } else {
            pool.get((int) (sent % pool.size())).tell(new Encode(sent, batch, ctx.getSelf()));
            sent++;
          }
        }
      } catch (RuntimeException e) {
        return fail("reading the corpus failed: " + e.getMessage());
      }
      if (exhausted && packed == sent) {
        replyTo.tell(new Packed(packer.finish(), packer.counts(), packer.characters(), seconds(), pool.size(),
            null));
        return Behaviors.stopped();
      }
      return Behaviors.same();
    }

    private Behavior<Command> onEncoded(Encoded e) {
      arrived.put(e.seq(), e.docs());
      while (!arrived.isEmpty() && arrived.firstKey() == packed) {
        packer.add(arrived.pollFirstEntry().getValue());
        packed++;
      }
      return pump();
    }

    private Behavior<Command> fail(String why) {
      replyTo.tell(new Packed(null, packer.counts(), packer.characters(), seconds(), pool.size(), why));
      return Behaviors.stopped();
    }

    private double seconds() {
      return (System.nanoTime() - started) / 1e9;
    }
  }

  /**
   * Packs {@code docs} with a pool of {@code workers} in an actor system of its own, and waits (at most
   * {@code timeout}). Throws {@link BadInputException} when reading fails or nothing is left to train on.
   */
  public static Packed pack(Iterator<String> docs, TextEncoder encoder, RawTextPacker packer, int workers,
      int batchDocs, Duration timeout) {
    CompletableFuture<Packed> result = new CompletableFuture<>();
    ActorSystem<Packed> system = ActorSystem.create(Behaviors.setup(ctx -> {
      ctx.spawn(create(docs, encoder, packer, workers, batchDocs, ctx.getSelf()), "tokenizer-prefetch",
          DispatcherSelector.fromConfig(RunSupervisor.BLOCKING_DISPATCHER));
      return Behaviors.receive(Packed.class).onMessage(Packed.class, p -> {
        result.complete(p);
        return Behaviors.stopped();
      }).build();
    }), "cramjet-tokenizer-prefetch", ConfigFactory.parseString("pekko.loglevel = WARNING")
        .withFallback(ConfigFactory.load()));
    try {
      Packed p = result.get(timeout.toNanos(), TimeUnit.NANOSECONDS);
      if (p.error() != null) {
        throw new BadInputException(p.error());
      }
      return p;
    } catch (java.util.concurrent.TimeoutException e) {
      throw new IllegalStateException("tokenizing the raw text took longer than " + timeout.toMinutes() + " min");
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IllegalStateException("interrupted while tokenizing the raw text", e);
    } catch (java.util.concurrent.ExecutionException e) {
      throw new IllegalStateException(e.getCause());
    } finally {
      system.terminate();
    }
  }

  /**
   * The run data of a config with {@code run.raw-text}: the tokenizer's vocabulary size is adopted (as with shards),
   * rows are {@code arch.max-seq-len} long, and {@link RunData#note()} says what was packed and how fast.
   */
  public static RunData runData(RunConfig cfg, RawTextSettings raw) {
    WordPieceTokenizer tok = raw.loadTokenizer(cfg.resolved());
    CorpusFiles.Resolved files = raw.resolveInputs(cfg.resolved());
    long bytes = 0;
    for (Path f : files.files()) {
      try {
        bytes += Files.size(f);
      } catch (java.io.IOException e) {
        // counted as 0; the reader reports the file
      }
    }
    int seqLen = cfg.arch().maxSeqLen();
    RawTextPacker packer = new RawTextPacker(seqLen, tok.vocabSize(), raw.compressionCutoff(), raw.dedup());
    Packed p = pack(CorpusDocuments.open(raw.inputs(), Path.of("").toAbsolutePath()), tok, packer, raw.workers(),
        BATCH_DOCS, Duration.ofHours(2));
    if (p.rows().rows() == 0) {
      throw new BadInputException("run.raw-text: the inputs " + raw.inputs() + " gave no complete row of " + seqLen
          + " tokens: " + p.counts() + " (check the inputs and compression-cutoff)");
    }
    RunConfig adjusted = cfg;
    String vocabNote = "";
    if (tok.vocabSize() != cfg.arch().vocabSize()) {
      adjusted = new RunConfig(cfg.arch().withVocabSize(tok.vocabSize()), cfg.train(), cfg.run(),
          cfg.resolved().withValue("arch.vocab-size", ConfigValueFactory.fromAnyRef(tok.vocabSize())));
      vocabNote = "; vocabulary size " + tok.vocabSize() + " taken from " + raw.tokenizer() + " (arch preset '"
          + cfg.arch().name() + "' said " + cfg.arch().vocabSize() + ")";
    }
    String note = String.format(Locale.ROOT, "raw text: %d rows of %d tokens from %.1f MB in %.1f s (%.1f MB/s, %d "
            + "tokenizer workers); documents %s%s", p.rows().rows(), seqLen, bytes / 1e6, p.seconds(),
        bytes / 1e6 / Math.max(1e-9, p.seconds()), p.workers(), p.counts(), vocabNote);
    return new RunData(adjusted, p.rows(), tok.vocabHash(), note);
  }
}
