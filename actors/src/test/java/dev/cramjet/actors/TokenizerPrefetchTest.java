package dev.cramjet.actors;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.typesafe.config.ConfigFactory;
import dev.cramjet.actors.control.Daemon;
import dev.cramjet.actors.runtime.RunRows;
import dev.cramjet.actors.runtime.RunSupervisor;
import dev.cramjet.actors.runtime.TokenizerPrefetch;
import dev.cramjet.checkpoint.CheckpointState;
import dev.cramjet.checkpoint.CheckpointStore;
import dev.cramjet.config.RunConfig;
import dev.cramjet.data.CorpusDocuments;
import dev.cramjet.data.DataPreparer;
import dev.cramjet.data.DocumentFilter;
import dev.cramjet.data.Manifest;
import dev.cramjet.data.PrepareConfig;
import dev.cramjet.data.RawTextPacker;
import dev.cramjet.data.RowSource;
import dev.cramjet.data.ShardDataset;
import dev.cramjet.text.SpecialTokens;
import dev.cramjet.text.Vocabulary;
import dev.cramjet.text.WordPieceTokenizer;
import dev.cramjet.util.BadInputException;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import java.util.Random;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The TokenizerPrefetch pool of raw-text mode: the same rows in the same order for any pool size, the rows
 * {@code data prepare} packs for the same corpus (its curriculum keeps corpus order with a vocabulary without "."),
 * and a daemon run that trains on raw text.
 */
class TokenizerPrefetchTest {
  private static final String[] WORDS = {"the", "ship", "sailed", "north", "and", "every", "sailor", "saw", "whale",
      "in", "cold", "water", "before", "morning", "came", "over", "sea", "a"};

  @TempDir Path tmp;
  private Path corpus;
  private WordPieceTokenizer tok;

  @BeforeEach
  void corpus() throws IOException {
    List<String> vocab = new ArrayList<>(List.of(SpecialTokens.PAD, SpecialTokens.UNK, SpecialTokens.CLS,
        SpecialTokens.SEP, SpecialTokens.MASK));
    vocab.addAll(List.of(WORDS));
    tok = new WordPieceTokenizer(Vocabulary.of(vocab)); // no "." token: data prepare's curriculum keeps corpus order
    tok.save(tmp.resolve("tok"));
    corpus = Files.createDirectories(tmp.resolve("corpus"));
    Random r = new Random(7);
    for (int f = 0; f < 2; f++) {
      StringBuilder sb = new StringBuilder();
      for (int d = 0; d < 150; d++) {
        if (d % 17 == 3) {
          sb.append("a a a a a a a a a a a a\n\n"); // compresses too well: filtered
        } else if (d % 23 == 5) {
          sb.append("the ship sailed north over the cold sea\n\n"); // repeated: exact duplicates
        } else {
          for (int s = 0; s < 1 + r.nextInt(4); s++) {
            for (int w = 0; w < 6 + r.nextInt(8); w++) {
              sb.append(WORDS[r.nextInt(WORDS.length - 1)]).append(' ');
            }
            sb.append(".\n");
          }
          sb.append('\n');
        }
      }
      Files.writeString(corpus.resolve("part" + f + ".txt"), sb.toString(), StandardCharsets.UTF_8);
    }
  }

  private Iterator<String> docs() {
    return CorpusDocuments.open(List.of(corpus.toString()), tmp);
  }

  private TokenizerPrefetch.Packed pack(int workers) {
    return TokenizerPrefetch.pack(docs(), tok, new RawTextPacker(16, tok.vocabSize(), 0.25, PrepareConfig.Dedup.EXACT),
        workers, 3, Duration.ofMinutes(2)); // 3 documents a batch: ~100 batches, reassembled out of order
  }

  private static List<int[]> rows(RowSource s) {
    List<int[]> out = new ArrayList<>();
    for (long i = 0; i < s.rows(); i++) {
      int[] row = new int[s.seqLen()];
      s.read(i, row);
      out.add(row);
    }
    return out;
  }

  private static void assertSameRows(List<int[]> expected, List<int[]> actual, String what) {
    assertEquals(expected.size(), actual.size(), what + ": row count");
    for (int i = 0; i < expected.size(); i++) {
      assertArrayEquals(expected.get(i), actual.get(i), what + ": row " + i);
    }
  }

  @Test
  void sameRowsForAnyPoolSizeAndAsDataPrepare() {
    TokenizerPrefetch.Packed one = pack(1);
    TokenizerPrefetch.Packed three = pack(3);
    List<int[]> rows1 = rows(one.rows());
    assertTrue(rows1.size() > 50, "enough rows to matter: " + rows1.size());
    assertTrue(one.counts().filtered() > 0 && one.counts().duplicate() > 0, one.counts().toString());
    assertSameRows(rows1, rows(three.rows()), "pool of 3 vs pool of 1");
    assertEquals(one.counts(), three.counts());

    // The same documents packed one by one on this thread, no actors: the pool keeps corpus order.
    RawTextPacker sequential = new RawTextPacker(16, tok.vocabSize(), 0.25, PrepareConfig.Dedup.EXACT);
    docs().forEachRemaining(d -> sequential.add(List.of(DocumentFilter.encode(tok, d, true))));
    assertSameRows(rows(sequential.finish()), rows1, "sequential vs pool");

    // data prepare with the same filter and dedup
    PrepareConfig pc = PrepareConfig.defaults(List.of(corpus.toString())).withSeqLen(16).withCutoff(0.25)
        .withDedup(PrepareConfig.Dedup.EXACT, false, 50).withThreads(2);
    Manifest m = new DataPreparer(pc, tok, tok.vocabHash()).prepare(tmp, tmp.resolve("shards"), null);
    assertSameRows(rows(ShardDataset.open(tmp.resolve("shards"))), rows1, "data prepare vs prefetch pool");
    assertEquals(m.documents().kept(), one.counts().kept());
    assertEquals(m.documents().filtered(), one.counts().filtered());
    assertEquals(m.documents().duplicate(), one.counts().duplicate());
  }

  @Test
  void badSettingsNameTheKey() throws IOException {
    Path conf = tmp.resolve("run.conf");
    Files.writeString(conf, TestRuns.config("2steps", "").render() + "\nrun.raw-text { inputs = [\""
        + tmp.resolve("missing") + "\"], tokenizer = \"" + tmp.resolve("tok") + "\" }\n");
    BadInputException e = assertThrows(BadInputException.class, () -> RunRows.open(RunConfig.load(conf.toString(),
        List.of())));
    assertTrue(e.getMessage().contains("run.conf") && e.getMessage().contains("run.raw-text.inputs"), e.getMessage());
    e = assertThrows(BadInputException.class, () -> RunRows.open(RunConfig.load(conf.toString(),
        List.of("run.raw-text.inputs=[\"" + corpus + "\"]", "run.raw-text.tokenizer=\"" + tmp.resolve("nope") + "\""))));
    assertTrue(e.getMessage().contains("run.raw-text.tokenizer") && e.getMessage().contains("nope"), e.getMessage());
    e = assertThrows(BadInputException.class, () -> RunRows.open(RunConfig.load(conf.toString(),
        List.of("run.raw-text.pool=-1"))));
    assertTrue(e.getMessage().contains("run.raw-text") && e.getMessage().contains("pool"), e.getMessage());
    e = assertThrows(BadInputException.class, () -> dev.cramjet.data.RunData.open(RunConfig.load(conf.toString(),
        List.of())));
    assertTrue(e.getMessage().contains("data prepare"), "pretrain refuses raw text: " + e.getMessage());
  }

  @Test
  void aDaemonTrainsOnRawText() throws Exception {
    Path runDir = tmp.resolve("run");
    RunConfig cfg = TestRuns.config("12steps", "run { out = \"" + runDir + "\", raw-text { inputs = [\"" + corpus
        + "\"], tokenizer = \"" + tmp.resolve("tok") + "\", pool = 2 } }\ndaemon.eval-rows = 16");
    RunRows rows = RunRows.open(cfg);
    assertEquals(tok.vocabSize(), rows.config().arch().vocabSize(), "vocabulary size taken from the tokenizer");
    assertTrue(rows.note().startsWith("raw text: "), rows.note());
    assertEquals(tok.vocabHash(), rows.vocabHash());
    RunSupervisor.Spec spec = new RunSupervisor.Spec(rows.config(), rows.train(), rows.heldOut(), runDir, null,
        rows.vocabHash(), RunSupervisor.Tuning.defaults().withEvalRows(16));
    Daemon daemon = Daemon.start(spec, "127.0.0.1", 0, null, null, ConfigFactory.load());
    try {
      daemon.whenTerminated().toCompletableFuture().get(120, TimeUnit.SECONDS);
      assertEquals(RunPhase.FINISHED, daemon.board().progress().phase(), daemon.board().progress().message());
    } finally {
      daemon.close();
    }
    CheckpointState s = CheckpointStore.read(CheckpointStore.resolve(runDir)).state();
    assertEquals(12, s.step());
    assertEquals(tok.vocabHash(), s.vocabHash());
    assertTrue(s.rowsConsumed() > 0 && Double.isFinite(s.lastLoss()), "trained: " + s.rowsConsumed() + " rows");
  }
}
