package dev.cramjet.text;

import dev.cramjet.util.BadInputException;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.List;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.ArrayList;

/**
 * Cramjet's encoder: {@link PreTokenizer} pieces, then greedy longest-match-first WordPiece with {@code ##}
 * continuation. A word that cannot be spelt from the vocabulary, or longer than {@value #MAX_WORD_CHARS} chars,
 * becomes one {@code [UNK]}. Special tokens written literally in the text ({@code [MASK]}) keep their ids, as in
 * Hugging Face; nothing is added ({@code [CLS]}/{@code [SEP]} are the caller's business).
 *
 * <p>The {@code tokenizer.json} from {@link #save} makes Hugging Face tokenizers produce exactly these ids. Instances
 * are immutable and thread-safe. It does not train; {@link WordPieceTrainer} does.
 */
public final class WordPieceTokenizer implements TextEncoder {
  /** Words longer than this (in normalised chars) become [UNK], as in BERT. */
  public static final int MAX_WORD_CHARS = 100;

  public static final String VOCAB_FILE = "vocab.txt";
  public static final String HF_FILE = "tokenizer.json";

  private final Vocabulary vocab;

  public WordPieceTokenizer(Vocabulary vocab) {
    this.vocab = vocab;
  }

  /**
   * Reads {@code dir/vocab.txt}; a {@code tokenizer.json} beside it is not needed.
   *
   * @throws BadInputException if the folder or vocabulary is missing or malformed
   */
  public static WordPieceTokenizer load(Path dir) {
    if (!Files.isDirectory(dir)) {
      throw new BadInputException(dir + ": tokenizer folder not found (expected a folder holding " + VOCAB_FILE + ")");
    }
    return new WordPieceTokenizer(Vocabulary.read(dir.resolve(VOCAB_FILE)));
  }

  /** Writes {@code vocab.txt} and {@code tokenizer.json} into {@code dir} (created if needed), each atomically. */
  public void save(Path dir) throws IOException {
    Files.createDirectories(dir);
    writeAtomically(dir.resolve(VOCAB_FILE), vocab.fileBytes());
    writeAtomically(dir.resolve(HF_FILE), HfTokenizerJson.toBytes(vocab));
  }

  private static void writeAtomically(Path target, byte[] bytes) throws IOException {
    Path tmp = dev.cramjet.util.AtomicFiles.tempFileBeside(target); // the umask's mode, not createTempFile's 0600
    try {
      Files.write(tmp, bytes);
      Files.move(tmp, target, StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
    } finally {
      Files.deleteIfExists(tmp);
    }
  }

  public Vocabulary vocabulary() {
    return vocab;
  }

  /** Hex SHA-256 of {@code vocab.txt}. */
  public String vocabHash() {
    return vocab.sha256();
  }

  @Override
  public int vocabSize() {
    return vocab.size();
  }

  @Override
  public int idOf(String token) {
    return vocab.id(token);
  }

  @Override
  public int[] encode(String text) {
    Encoder e = new Encoder(vocab, new IntList(text.length() / 4 + 8));
    PreTokenizer.scan(text, e);
    return e.out.toArray();
  }

  /** The tokens of {@code text}, as strings; for inspection. */
  public List<String> tokenize(String text) {
    List<String> out = new ArrayList<>();
    for (int id : encode(text)) {
      out.add(vocab.token(id));
    }
    return out;
  }

  /**
   * Encodes every text on {@code threads} threads; result i belongs to text i. For data preparation; a single
   * {@link #encode} is already safe to call from many threads.
   */
  public int[][] encodeAll(List<String> texts, int threads) {
    int[][] out = new int[texts.size()][];
    if (threads <= 1 || texts.size() < 2) {
      for (int i = 0; i < out.length; i++) {
        out[i] = encode(texts.get(i));
      }
      return out;
    }
    ExecutorService pool = Executors.newFixedThreadPool(threads);
    try {
      List<Future<?>> parts = new ArrayList<>();
      int chunk = Math.max(1, (texts.size() + threads * 4 - 1) / (threads * 4));
      for (int from = 0; from < texts.size(); from += chunk) {
        int lo = from;
        int hi = Math.min(texts.size(), from + chunk);
        parts.add(
            pool.submit(
                () -> {
                  for (int i = lo; i < hi; i++) {
                    out[i] = encode(texts.get(i));
                  }
                }));
      }
      for (Future<?> f : parts) {
        f.get();
      }
      return out;
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IllegalStateException("interrupted while encoding", e);
    } catch (ExecutionException e) {
      if (e.getCause() instanceof RuntimeException r) {
        throw r;
      }
      throw new IllegalStateException(e.getCause());
    } finally {
      pool.shutdownNow();
    }
  }

  /**
   * Text of {@code ids}: tokens joined by spaces, {@code ##} pieces glued to the one before. Normalisation is not
   * undone (the text comes back lowercase, without accents, punctuation spaced out).
   *
   * @throws IllegalArgumentException for an id outside the vocabulary
   */
  public String decode(int[] ids) {
    StringBuilder sb = new StringBuilder(ids.length * 6);
    for (int id : ids) {
      if (id < 0 || id >= vocab.size()) {
        throw new IllegalArgumentException("id " + id + " is outside the vocabulary of " + vocab.size());
      }
      String t = vocab.token(id);
      if (Vocabulary.isContinuation(t) && sb.length() > 0) {
        sb.append(t, Vocabulary.CONTINUATION.length(), t.length());
      } else {
        if (sb.length() > 0) {
          sb.append(' ');
        }
        sb.append(t);
      }
    }
    return sb.toString();
  }

  /** Turns the pieces of one text into ids. */
  private static final class Encoder implements PreTokenizer.PieceSink {
    private final Vocabulary vocab;
    final IntList out;
    private int[] prefixHash = new int[64];

    Encoder(Vocabulary vocab, IntList out) {
      this.vocab = vocab;
      this.out = out;
    }

    @Override
    public void special(int id) {
      out.add(id);
    }

    @Override
    public void piece(char[] buf, int start, int len) {
      if (len > MAX_WORD_CHARS) {
        out.add(SpecialTokens.UNK_ID);
        return;
      }
      int mark = out.size;
      int pos = start;
      int end = start + len;
      boolean cont = false;
      while (pos < end) {
        int hi = Math.min(end - pos, cont ? vocab.maxContinuationLength() : vocab.maxStartLength());
        if (prefixHash.length <= hi) {
          prefixHash = new int[hi * 2 + 1];
        }
        int h = 0;
        for (int k = 0; k < hi; k++) {
          h = 31 * h + buf[pos + k];
          prefixHash[k + 1] = h;
        }
        int found = -1;
        int take = hi;
        for (; take >= 1; take--) {
          found = vocab.find(prefixHash[take], buf, pos, take, cont);
          if (found >= 0) {
            break;
          }
        }
        if (found < 0) {
          out.size = mark;
          out.add(SpecialTokens.UNK_ID);
          return;
        }
        out.add(found);
        pos += take;
        cont = true;
      }
    }
  }
}
