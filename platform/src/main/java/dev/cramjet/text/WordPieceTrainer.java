package dev.cramjet.text;

import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import java.util.PriorityQueue;
import java.util.TreeSet;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.function.LongConsumer;

/**
 * Learns a WordPiece vocabulary the way Hugging Face's WordPiece trainer does: words are counted after
 * {@link PreTokenizer}, spelt as a first char plus {@code ##} chars, and the most frequent adjacent pair is merged
 * until the vocabulary is full (BPE merges, WordPiece spelling). The vocabulary is the special tokens, then every
 * printable ASCII char (and the {@code ##} form of every letter and digit) so only over-long words ever become
 * [UNK], then the merges in order.
 *
 * <p>Deterministic: the same texts give the same vocabulary whatever the thread count; ties between equally
 * frequent pairs go to the pair of smaller token ids. Counting holds at most {@link Options#maxDistinctWords}
 * words (the rarest are pruned beyond that), never the text itself. It does not encode; see
 * {@link WordPieceTokenizer}.
 */
public final class WordPieceTrainer {
  /**
   * Training settings.
   *
   * @param vocabSize the vocabulary size to reach, special tokens included (fewer if the corpus runs out of pairs)
   * @param minPairCount a pair seen fewer times than this is never merged
   * @param maxDistinctWords bound on the word-count table; past it the rarest words are pruned
   * @param threads threads that count words
   */
  public record Options(int vocabSize, int minPairCount, int maxDistinctWords, int threads) {
    public static final int DEFAULT_VOCAB_SIZE = 32768;

    public Options {
      if (vocabSize < SpecialTokens.COUNT + ALPHABET_START.length() + ALPHABET_CONTINUATION.length()) {
        throw new IllegalArgumentException(
            "vocab size " + vocabSize + " is too small: the special tokens and the ASCII alphabet need "
                + (SpecialTokens.COUNT + ALPHABET_START.length() + ALPHABET_CONTINUATION.length()));
      }
      if (minPairCount < 1) {
        throw new IllegalArgumentException("min pair count must be at least 1, got " + minPairCount);
      }
      if (maxDistinctWords < 1000) {
        throw new IllegalArgumentException("max distinct words must be at least 1000, got " + maxDistinctWords);
      }
      if (threads < 1) {
        throw new IllegalArgumentException("threads must be at least 1, got " + threads);
      }
    }

    /** 32768 tokens, pairs seen at least twice, one million distinct words, one thread. */
    public static Options defaults() {
      return new Options(DEFAULT_VOCAB_SIZE, 2, 1_000_000, 1);
    }

    public Options withVocabSize(int n) {
      return new Options(n, minPairCount, maxDistinctWords, threads);
    }

    public Options withThreads(int n) {
      return new Options(vocabSize, minPairCount, maxDistinctWords, n);
    }

    public Options withMaxDistinctWords(int n) {
      return new Options(vocabSize, minPairCount, n, threads);
    }
  }

  /** Every printable ASCII char but the uppercase letters (normalised away): the word-start alphabet. */
  static final String ALPHABET_START;

  /** Letters and digits: the chars that can continue a word. */
  static final String ALPHABET_CONTINUATION = "0123456789abcdefghijklmnopqrstuvwxyz";

  static {
    StringBuilder sb = new StringBuilder();
    for (char c = '!'; c <= '~'; c++) {
      if (c < 'A' || c > 'Z') {
        sb.append(c);
      }
    }
    ALPHABET_START = sb.toString();
  }

  /** Chars of text handed to one counting task. */
  private static final int BATCH_CHARS = 1 << 21;

  private final Options options;
  private final int batchChars;

  public WordPieceTrainer(Options options) {
    this(options, BATCH_CHARS);
  }

  /** With counting batches of {@code batchChars}; tests use small ones to reach pruning. */
  WordPieceTrainer(Options options, int batchChars) {
    this.options = options;
    this.batchChars = batchChars;
  }

  /** Counts the words of {@code texts} and learns the vocabulary. */
  public Vocabulary train(Iterator<String> texts) {
    return train(texts, chars -> {});
  }

  /**
   * As {@link #train(Iterator)}, reporting the number of chars counted so far to {@code progress} now and then
   * (from the calling thread).
   */
  public Vocabulary train(Iterator<String> texts, LongConsumer progress) {
    return learn(count(texts, progress));
  }

  /**
   * The word counts of {@code texts}, bounded by {@link Options#maxDistinctWords}. Texts are counted in batches of
   * about {@code batchChars} chars and pruning happens only between batches, merged in reading order, so the counts
   * are the same on any number of threads.
   */
  WordCounter count(Iterator<String> texts, LongConsumer progress) {
    WordCounter total = new WordCounter();
    long chars = 0;
    ExecutorService pool = options.threads() == 1 ? null : Executors.newFixedThreadPool(options.threads());
    try {
      ArrayDeque<Future<WordCounter>> inFlight = new ArrayDeque<>();
      while (texts.hasNext()) {
        List<String> batch = new ArrayList<>();
        long batchChars = 0;
        while (batchChars < this.batchChars && texts.hasNext()) {
          String t = texts.next();
          batch.add(t);
          batchChars += t.length();
        }
        chars += batchChars;
        if (pool == null) {
          countInto(total, batch);
          prune(total);
        } else {
          inFlight.add(
              pool.submit(
                  () -> {
                    WordCounter local = new WordCounter();
                    countInto(local, batch);
                    return local;
                  }));
          while (inFlight.size() > options.threads() * 2) {
            mergeInto(total, inFlight.poll().get());
          }
        }
        progress.accept(chars);
      }
      while (!inFlight.isEmpty()) {
        mergeInto(total, inFlight.poll().get());
      }
      return total;
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IllegalStateException("interrupted while counting words", e);
    } catch (ExecutionException e) {
      if (e.getCause() instanceof RuntimeException r) {
        throw r;
      }
      throw new IllegalStateException(e.getCause());
    } finally {
      if (pool != null) {
        pool.shutdownNow();
      }
    }
  }

  private void mergeInto(WordCounter total, WordCounter batch) {
    total.addAll(batch);
    prune(total);
  }

  private void prune(WordCounter total) {
    if (total.size() > options.maxDistinctWords()) {
      total.pruneTo(options.maxDistinctWords() / 2);
    }
  }

  private static void countInto(WordCounter counter, List<String> texts) {
    PreTokenizer.PieceSink sink =
        new PreTokenizer.PieceSink() {
          @Override
          public void piece(char[] buf, int start, int len) {
            if (len > 1 && len <= WordPieceTokenizer.MAX_WORD_CHARS) {
              counter.add(buf, start, len, 1);
            }
          }

          @Override
          public void special(int id) {}
        };
    for (String t : texts) {
      PreTokenizer.scan(t, sink);
    }
  }

  /** BPE merges over the counted words, spelt the WordPiece way. */
  Vocabulary learn(WordCounter counter) {
    List<String> tokens = new ArrayList<>(Arrays.asList(SpecialTokens.ALL));
    Map<String, Integer> ids = new HashMap<>();
    for (String t : tokens) {
      ids.put(t, ids.size());
    }
    String[] words = counter.sortedWords();
    TreeSet<Character> starts = new TreeSet<>();
    TreeSet<Character> conts = new TreeSet<>();
    for (char c : ALPHABET_START.toCharArray()) {
      starts.add(c);
    }
    for (char c : ALPHABET_CONTINUATION.toCharArray()) {
      conts.add(c);
    }
    for (String w : words) {
      starts.add(w.charAt(0));
      for (int i = 1; i < w.length(); i++) {
        conts.add(w.charAt(i));
      }
    }
    for (char c : starts) {
      addToken(tokens, ids, String.valueOf(c));
    }
    for (char c : conts) {
      addToken(tokens, ids, Vocabulary.CONTINUATION + c);
    }

    int[][] sym = new int[words.length][];
    int[] len = new int[words.length];
    long[] weight = new long[words.length];
    Map<Long, Pair> pairs = new HashMap<>();
    for (int w = 0; w < words.length; w++) {
      String word = words[w];
      weight[w] = counter.count(word);
      sym[w] = new int[word.length()];
      len[w] = word.length();
      sym[w][0] = ids.get(String.valueOf(word.charAt(0)));
      for (int i = 1; i < word.length(); i++) {
        sym[w][i] = ids.get(Vocabulary.CONTINUATION + word.charAt(i));
      }
      for (int i = 0; i + 1 < len[w]; i++) {
        Pair p = pairs.computeIfAbsent(key(sym[w][i], sym[w][i + 1]), Pair::new);
        p.count += weight[w];
        p.addWord(w);
      }
    }
    PriorityQueue<long[]> queue = new PriorityQueue<>(WordPieceTrainer::compareEntries);
    for (Pair p : pairs.values()) {
      queue.add(new long[] {p.count, p.key});
    }

    int[] stamp = new int[words.length];
    Arrays.fill(stamp, -1);
    Map<Long, Long> delta = new HashMap<>();
    int mergeIndex = 0;
    while (tokens.size() < options.vocabSize() && !queue.isEmpty()) {
      long[] top = queue.poll();
      Pair best = pairs.get(top[1]);
      long current = best == null ? 0 : best.count;
      if (current != top[0]) {
        if (current > 0) {
          queue.add(new long[] {current, top[1]});
        }
        continue;
      }
      if (current < options.minPairCount()) {
        break;
      }
      int a = (int) (best.key >>> 32);
      int b = (int) best.key;
      String merged = tokens.get(a) + tokens.get(b).substring(Vocabulary.CONTINUATION.length());
      int n = ids.containsKey(merged) ? ids.get(merged) : addToken(tokens, ids, merged);
      delta.clear();
      for (int k = 0; k < best.wordCount; k++) {
        int w = best.words[k];
        if (stamp[w] == mergeIndex) {
          continue;
        }
        stamp[w] = mergeIndex;
        mergeWord(sym[w], len, w, a, b, n, weight[w], delta, pairs);
      }
      pairs.remove(best.key);
      for (Map.Entry<Long, Long> e : delta.entrySet()) {
        if (e.getValue() == 0 || e.getKey() == best.key) {
          continue;
        }
        Pair p = pairs.get(e.getKey());
        p.count += e.getValue();
        if (e.getValue() > 0) {
          queue.add(new long[] {p.count, p.key});
        } else if (p.count <= 0) {
          pairs.remove(p.key);
        }
      }
      mergeIndex++;
    }
    return Vocabulary.of(tokens);
  }

  /** Replaces each (a, b) in word w by n, recording the change of every pair count in {@code delta}. */
  private static void mergeWord(
      int[] s, int[] lens, int w, int a, int b, int n, long weight, Map<Long, Long> delta, Map<Long, Pair> pairs) {
    int length = lens[w];
    boolean found = false;
    for (int i = 0; i + 1 < length; i++) {
      if (s[i] == a && s[i + 1] == b) {
        found = true;
        break;
      }
    }
    if (!found) {
      return;
    }
    for (int i = 0; i + 1 < length; i++) {
      delta.merge(key(s[i], s[i + 1]), -weight, Long::sum);
    }
    int j = 0;
    for (int i = 0; i < length; i++) {
      if (i + 1 < length && s[i] == a && s[i + 1] == b) {
        s[j++] = n;
        i++;
      } else {
        s[j++] = s[i];
      }
    }
    lens[w] = j;
    for (int i = 0; i + 1 < j; i++) {
      long k = key(s[i], s[i + 1]);
      delta.merge(k, weight, Long::sum);
      if (s[i] == n || s[i + 1] == n) {
        pairs.computeIfAbsent(k, Pair::new).addWord(w);
      }
    }
  }

  private static int addToken(List<String> tokens, Map<String, Integer> ids, String token) {
    int id = tokens.size();
    tokens.add(token);
    ids.put(token, id);
    return id;
  }

  private static long key(int a, int b) {
    return ((long) a << 32) | (b & 0xffffffffL);
  }

  /** Higher count first; equal counts by smaller (left, right) ids. */
  private static int compareEntries(long[] x, long[] y) {
    int c = Long.compare(y[0], x[0]);
    return c != 0 ? c : Long.compare(x[1], y[1]);
  }

  /** A pair's total count and the words it may occur in (some stale, some repeated). */
  private static final class Pair {
    final long key;
    long count;
    int[] words = new int[4];
    int wordCount;

    Pair(long key) {
      this.key = key;
    }

    void addWord(int w) {
      if (wordCount > 0 && words[wordCount - 1] == w) {
        return;
      }
      if (wordCount == words.length) {
        words = Arrays.copyOf(words, wordCount * 2);
      }
      words[wordCount++] = w;
    }
  }
}
