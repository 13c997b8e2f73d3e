package dev.cramjet.text;

import dev.cramjet.util.BadInputException;
import java.io.IOException;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;

/**
 * An immutable WordPiece vocabulary: token strings by id, special tokens first at their fixed ids, continuation
 * pieces spelt with a {@code ##} prefix, as in {@code vocab.txt} (one token per line, line n holding id n - 1).
 *
 * <p>Its lookup takes a range of chars and a precomputed polynomial hash so the encoder can try ever shorter prefixes
 * of a word without building strings. Special tokens are not in that table: no piece of text can spell them.
 * It does not encode text; {@link WordPieceTokenizer} does.
 */
public final class Vocabulary {
  /** The continuation prefix of WordPiece. */
  public static final String CONTINUATION = "##";

  private static final int CONT_SALT = 0x5bd1e995;

  private final String[] tokens;
  private final Map<String, Integer> ids;
  private final char[][] keyChars;
  private final boolean[] continuation;
  private final int[] slotHash;
  private final int[] slotId;
  private final int mask;
  private final int maxStartLength;
  private final int maxContinuationLength;

  private Vocabulary(String[] tokens) {
    this.tokens = tokens;
    this.ids = new HashMap<>(tokens.length * 2);
    this.keyChars = new char[tokens.length][];
    this.continuation = new boolean[tokens.length];
    int capacity = Integer.highestOneBit(Math.max(16, tokens.length * 4) - 1) << 1;
    this.slotHash = new int[capacity];
    this.slotId = new int[capacity];
    Arrays.fill(slotId, -1);
    this.mask = capacity - 1;
    int maxStart = 0;
    int maxCont = 0;
    for (int id = 0; id < tokens.length; id++) {
      ids.put(tokens[id], id);
      if (id < SpecialTokens.COUNT) {
        continue;
      }
      boolean cont = isContinuation(tokens[id]);
      char[] key = (cont ? tokens[id].substring(CONTINUATION.length()) : tokens[id]).toCharArray();
      keyChars[id] = key;
      continuation[id] = cont;
      if (cont) {
        maxCont = Math.max(maxCont, key.length);
      } else {
        maxStart = Math.max(maxStart, key.length);
      }
      int h = salted(hash(key, 0, key.length), cont);
      int slot = spread(h) & mask;
      while (slotId[slot] >= 0) {
        slot = (slot + 1) & mask;
      }
      slotHash[slot] = h;
      slotId[slot] = id;
    }
    this.maxStartLength = maxStart;
    this.maxContinuationLength = maxCont;
  }

  /**
   * A vocabulary of {@code tokens} in id order.
   *
   * @throws IllegalArgumentException if the special tokens are not first and in order, or a token is empty, holds
   *     whitespace or appears twice
   */
  public static Vocabulary of(List<String> tokens) {
    String problem = null;
    for (int i = 0; i < tokens.size() && problem == null; i++) {
      problem = problem(tokens, i);
    }
    if (problem == null && tokens.size() < SpecialTokens.COUNT) {
      problem = "it has " + tokens.size() + " tokens, fewer than the " + SpecialTokens.COUNT + " special tokens";
    }
    if (problem == null && new java.util.HashSet<>(tokens).size() != tokens.size()) {
      problem = "a token appears twice";
    }
    if (problem != null) {
      throw new IllegalArgumentException("bad vocabulary: " + problem);
    }
    return new Vocabulary(tokens.toArray(new String[0]));
  }

  /**
   * Reads {@code vocab.txt}: UTF-8, one token per line.
   *
   * @throws BadInputException naming the file and line when it is missing, not UTF-8, or malformed
   */
  public static Vocabulary read(Path file) {
    String text;
    try {
      byte[] bytes = Files.readAllBytes(file);
      text =
          StandardCharsets.UTF_8
              .newDecoder()
              .onMalformedInput(CodingErrorAction.REPORT)
              .onUnmappableCharacter(CodingErrorAction.REPORT)
              .decode(java.nio.ByteBuffer.wrap(bytes))
              .toString();
    } catch (NoSuchFileException e) {
      throw new BadInputException(file + ": vocabulary file not found (expected vocab.txt, one token per line)", e);
    } catch (CharacterCodingException e) {
      throw new BadInputException(file + ": vocabulary is not valid UTF-8", e);
    } catch (IOException e) {
      throw new BadInputException(file + ": cannot read vocabulary: " + e.getMessage(), e);
    }
    List<String> tokens = new ArrayList<>(Arrays.asList(text.split("\n", -1)));
    if (!tokens.isEmpty() && tokens.get(tokens.size() - 1).isEmpty()) {
      tokens.remove(tokens.size() - 1);
    }
    Map<String, Integer> seen = new HashMap<>();
    for (int i = 0; i < tokens.size(); i++) {
      String t = tokens.get(i);
      if (t.endsWith("\r")) {
        t = t.substring(0, t.length() - 1);
        tokens.set(i, t);
      }
      String problem = problem(tokens, i);
      Integer first = seen.putIfAbsent(t, i);
      if (problem == null && first != null) {
        problem = "token '" + t + "' already appears on line " + (first + 1);
      }
      if (problem != null) {
        throw new BadInputException(file + ":" + (i + 1) + ": " + problem);
      }
    }
    if (tokens.size() < SpecialTokens.COUNT) {
      throw new BadInputException(
          file + ": has " + tokens.size() + " tokens; expected at least the special tokens "
              + String.join(" ", SpecialTokens.ALL));
    }
    return new Vocabulary(tokens.toArray(new String[0]));
  }

  private static String problem(List<String> tokens, int i) {
    String t = tokens.get(i);
    if (i < SpecialTokens.COUNT && !t.equals(SpecialTokens.ALL[i])) {
      return "expected special token " + SpecialTokens.ALL[i] + " for id " + i + " but found '" + t + "'";
    }
    if (t.isEmpty()) {
      return "empty token";
    }
    for (int k = 0; k < t.length(); k++) {
      if (Character.isWhitespace(t.charAt(k)) || Character.isISOControl(t.charAt(k))) {
        return "token '" + t + "' contains whitespace or a control character";
      }
    }
    return null;
  }

  /** The bytes of {@code vocab.txt}: each token followed by a line feed. */
  public byte[] fileBytes() {
    StringBuilder sb = new StringBuilder(tokens.length * 8);
    for (String t : tokens) {
      sb.append(t).append('\n');
    }
    return sb.toString().getBytes(StandardCharsets.UTF_8);
  }

  /** Hex SHA-256 of {@link #fileBytes()}: the vocabulary's identity in manifests and checkpoints. */
  public String sha256() {
    try {
      return HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(fileBytes()));
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException(e);
    }
  }

  public int size() {
    return tokens.length;
  }

  public String token(int id) {
    return tokens[id];
  }

  /** Id of {@code token}, or -1. */
  public int id(String token) {
    Integer id = ids.get(token);
    return id == null ? -1 : id;
  }

  /** Tokens in id order (a copy). */
  public List<String> tokens() {
    return List.of(tokens);
  }

  /** True for {@code ##x}: a piece that continues a word. */
  public static boolean isContinuation(String token) {
    return token.length() > CONTINUATION.length() && token.startsWith(CONTINUATION);
  }

  int maxStartLength() {
    return maxStartLength;
  }

  int maxContinuationLength() {
    return maxContinuationLength;
  }

  /** The polynomial hash that {@link #find} expects, of {@code buf[start, start + len)}. */
  static int hash(char[] buf, int start, int len) {
    int h = 0;
    for (int i = start; i < start + len; i++) {
      h = 31 * h + buf[i];
    }
    return h;
  }

  /**
   * Id of the piece {@code buf[start, start + len)}, as a word start or (with {@code continuation}) after
   * {@code ##}; -1 if absent. {@code hash} is {@link #hash} of the range.
   */
  int find(int hash, char[] buf, int start, int len, boolean continuation) {
    int h = salted(hash, continuation);
    int slot = spread(h) & mask;
    int id;
    while ((id = slotId[slot]) >= 0) {
      if (slotHash[slot] == h) {
        char[] key = keyChars[id];
        if (key.length == len
            && this.continuation[id] == continuation
            && Arrays.equals(key, 0, len, buf, start, start + len)) {
          return id;
        }
      }
      slot = (slot + 1) & mask;
    }
    return -1;
  }

  private static int salted(int hash, boolean continuation) {
    return continuation ? hash ^ CONT_SALT : hash;
  }

  private static int spread(int h) {
    int x = h * 0x9E3779B1;
    return x ^ (x >>> 15);
  }
}
