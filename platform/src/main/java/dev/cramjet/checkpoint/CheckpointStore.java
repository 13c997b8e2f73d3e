package dev.cramjet.checkpoint;

import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import dev.cramjet.checkpoint.SafeTensors.Tensor;
import dev.cramjet.util.AtomicFiles;
import dev.cramjet.util.BadInputException;
import dev.cramjet.util.Hashing;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.FloatBuffer;
import java.nio.DoubleBuffer;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.TreeMap;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The checkpoints of one run: folders {@code step-00001234/} holding {@code model.safetensors}, {@code
 * optimizer.safetensors} and {@code state.json}. A folder is written under a temporary name ({@code .tmp-*}), every
 * file fsynced, and renamed into place, so a crash never leaves a half-written checkpoint under a real name; only the
 * newest {@code keep} are kept (a pruned folder is first renamed to {@code .prune-*}, then deleted). Reading verifies
 * each file's SHA-256 against {@code state.json} and that every tensor is finite.
 *
 * <p>Tensor files are canonical: tensors sorted by name, metadata sorted by key, so equal states give equal bytes.
 *
 * <p>What a crash leaves ({@code .tmp-*}, {@code .prune-*}, {@code step-N/} without {@code state.json}) is removed
 * by {@link #cleanup()} when a run starts. A checkpoint that fails verification on resume is moved aside to
 * {@code rejected/step-N} (with {@code REJECTED.txt} saying why), out of the way of pruning, cleanup and later saves
 * of the same step, and the next older one is tried ({@link #newestValid()}).
 */
public final class CheckpointStore {
  private static final Logger LOG = LoggerFactory.getLogger(CheckpointStore.class);
  static final ObjectMapper JSON = new ObjectMapper()
      .enable(SerializationFeature.INDENT_OUTPUT)
      .disable(DeserializationFeature.FAIL_ON_UNKNOWN_PROPERTIES);
  private static final Pattern NAME = Pattern.compile("step-(\\d{8,})");
  private static final Pattern REPLACED_NAME = Pattern.compile("\\.replaced-(step-\\d{8,})-\\d+");
  public static final String MODEL_FILE = "model.safetensors";
  public static final String OPTIMIZER_FILE = "optimizer.safetensors";
  public static final String STATE_FILE = "state.json";
  /** The sub-folder that rejected checkpoints are moved to. */
  public static final String REJECTED_DIR = "rejected";
  /** The note written into a rejected checkpoint: why, and when. */
  public static final String REJECTED_NOTE = "REJECTED.txt";
  private static final String TMP = ".tmp-";
  private static final String PRUNE = ".prune-";
  private static final String REPLACED = ".replaced-";

  /**
   * Opens each file of a checkpoint being written (tensor files and {@code state.json}): the seam through which tests
   * and the soak inject real I/O errors (for example by opening {@code /dev/full}).
   */
  @FunctionalInterface
  public interface FileOpener {
    FileChannel open(Path file, long step) throws IOException;
  }

  /** The normal opener: the file itself. */
  public static final FileOpener FILES = (file, step) -> SafeTensors.Opener.FILES.open(file);

  private final Path dir;
  private final int keep;
  private final FileOpener opener;
  private final FaultHooks faults;

  /** A store writing real files, with the fault hooks of {@link FaultHooks#fromSystemProperties()}. */
  public CheckpointStore(Path dir, int keep) {
    this(dir, keep, null);
  }

  /** A store opening files through {@code opener} (null: the files, or the system properties' fault hooks). */
  public CheckpointStore(Path dir, int keep, FileOpener opener) {
    if (keep < 1) {
      throw new IllegalArgumentException("keep must be >= 1");
    }
    this.dir = dir;
    this.keep = keep;
    this.faults = FaultHooks.fromSystemProperties();
    this.opener = opener != null ? opener : faults.opener(FILES);
  }

  public Path dir() {
    return dir;
  }

  /** The folder name of a step's checkpoint. */
  public static String folderName(long step) {
    return String.format("step-%08d", step);
  }

  /**
   * Writes {@code s} as a new checkpoint folder and prunes old ones; returns the folder. A failure is a
   * {@link CheckpointWriteException} naming the step, the folder and the file; the temporary folder is removed and
   * every older checkpoint stays as it was.
   */
  public Path write(Snapshot s) throws IOException {
    long step = s.state().step();
    Path target = dir.resolve(folderName(step));
    Path tmp = dir.resolve(TMP + target.getFileName() + "-" + System.nanoTime());
    Path current = dir;
    faults.marker("checkpoint-write-begin step=" + step);
    try {
      Files.createDirectories(dir);
      current = tmp;
      Files.createDirectory(tmp);
      Map<String, String> meta = new TreeMap<>();
      meta.put("format", "cramjet-checkpoint");
      meta.put("step", Long.toString(step));
      SafeTensors.Opener files = f -> opener.open(f, step);
      current = tmp.resolve(MODEL_FILE);
      SafeTensors.write(current, new TreeMap<>(s.params()), meta, files);
      faults.pause(); // a kill here leaves a .tmp- folder with one tensor file
      current = tmp.resolve(OPTIMIZER_FILE);
      SafeTensors.write(current, new TreeMap<>(s.optimizer()), meta, files);
      Map<String, String> sums = new TreeMap<>();
      sums.put(MODEL_FILE, Hashing.sha256(tmp.resolve(MODEL_FILE)));
      sums.put(OPTIMIZER_FILE, Hashing.sha256(tmp.resolve(OPTIMIZER_FILE)));
      current = tmp.resolve(STATE_FILE);
      writeFile(files, current, JSON.writeValueAsBytes(s.state().withFiles(sums)));
      AtomicFiles.fsyncDir(tmp);
      current = target;
      Path replaced = null;
      if (Files.exists(target)) {
        // The same step written twice (a stop right after a periodic checkpoint): move the old one aside first, so a
        // crash between the two renames leaves it recoverable (cleanup() renames it back).
        replaced = dir.resolve(REPLACED + target.getFileName() + "-" + System.nanoTime());
        AtomicFiles.move(target, replaced);
      }
      AtomicFiles.move(tmp, target);
      if (replaced != null) {
        AtomicFiles.deleteTree(replaced);
      }
    } catch (IOException | RuntimeException e) {
      try {
        AtomicFiles.deleteTree(tmp);
      } catch (IOException | RuntimeException x) {
        e.addSuppressed(x);
      }
      throw new CheckpointWriteException(step, target, current, e);
    }
    faults.marker("checkpoint-write-end step=" + step);
    try {
      prune();
    } catch (IOException | RuntimeException e) {
      LOG.warn("checkpoint of step {} written to {}, but pruning older ones failed: {}", step, target, e.toString());
    }
    return target;
  }

  private static void writeFile(SafeTensors.Opener files, Path file, byte[] bytes) throws IOException {
    try (FileChannel ch = files.open(file)) {
      ByteBuffer b = ByteBuffer.wrap(bytes);
      while (b.hasRemaining()) {
        ch.write(b);
      }
      ch.force(true);
    }
  }

  /** The checkpoint folders, oldest first (temporaries, rejected and foreign folders are ignored). */
  public List<Path> list() throws IOException {
    return candidates().stream().filter(p -> Files.isRegularFile(p.resolve(STATE_FILE))).toList();
  }

  /** Every {@code step-N} folder, complete or not, oldest first. */
  private List<Path> candidates() throws IOException {
    if (!Files.isDirectory(dir)) {
      return List.of();
    }
    try (Stream<Path> s = Files.list(dir)) {
      return s.filter(p -> NAME.matcher(p.getFileName().toString()).matches())
          .filter(Files::isDirectory)
          .sorted(Comparator.comparingLong(CheckpointStore::stepOf))
          .toList();
    }
  }

  public Optional<Path> latest() throws IOException {
    List<Path> all = list();
    return all.isEmpty() ? Optional.empty() : Optional.of(all.get(all.size() - 1));
  }

  private void prune() throws IOException {
    List<Path> all = list();
    for (int i = 0; i < all.size() - keep; i++) {
      Path old = all.get(i);
      // Renamed first, so a crash while deleting never leaves a step-N folder that looks like a checkpoint.
      Path trash = dir.resolve(PRUNE + old.getFileName() + "-" + System.nanoTime());
      faults.marker("prune-begin " + old.getFileName());
      AtomicFiles.move(old, trash);
      faults.pause(); // a kill here leaves a .prune- folder
      AtomicFiles.deleteTree(trash);
      faults.marker("prune-end " + old.getFileName());
    }
    try (Stream<Path> s = Files.list(dir)) {
      for (Path p : s.filter(p -> p.getFileName().toString().startsWith(TMP)).toList()) {
        if (Files.getLastModifiedTime(p).toMillis() < System.currentTimeMillis() - 3_600_000L) {
          AtomicFiles.deleteTree(p); // left by a crash long ago
        }
      }
    }
  }

  private static long stepOf(Path p) {
    Matcher m = NAME.matcher(p.getFileName().toString());
    return m.matches() ? Long.parseLong(m.group(1)) : -1;
  }

  // ---- cleanup of crash leftovers ----

  /**
   * What {@link #cleanup()} did.
   *
   * @param bytes bytes freed
   * @param removed what was removed, each with why ("step-00000040 (no state.json)", ".tmp-step-... (temporary)")
   * @param restored checkpoints renamed back into place (a crash hit the middle of replacing them)
   */
  public record Cleanup(long bytes, List<String> removed, List<String> restored) {
    public Cleanup {
      removed = List.copyOf(removed);
      restored = List.copyOf(restored);
    }

    public boolean isEmpty() {
      return removed.isEmpty() && restored.isEmpty();
    }

    /** One line: "freed 12.3 MB in DIR: removed 2 leftovers: a (why), b (why)". */
    public String describe(Path dir) {
      StringBuilder sb = new StringBuilder("checkpoint cleanup freed ").append(humanBytes(bytes)).append(" in ")
          .append(dir).append(": removed ").append(removed.size()).append(removed.size() == 1 ? " leftover" :
              " leftovers");
      if (!removed.isEmpty()) {
        sb.append(" (").append(String.join(", ", removed)).append(')');
      }
      if (!restored.isEmpty()) {
        sb.append("; restored ").append(String.join(", ", restored));
      }
      return sb.toString();
    }
  }

  /**
   * Removes what no checkpoint owns: temporary folders of interrupted writes ({@code .tmp-*}), half-pruned folders
   * ({@code .prune-*}), and {@code step-N} folders without {@code state.json} (a crash while an older version pruned
   * them). A checkpoint caught in the middle of being replaced by the same step is renamed back. {@code rejected/} is
   * left alone. Call it when a run starts, before anything writes: it assumes no other process writes here.
   */
  public Cleanup cleanup() throws IOException {
    if (!Files.isDirectory(dir)) {
      return new Cleanup(0, List.of(), List.of());
    }
    long bytes = 0;
    List<String> removed = new ArrayList<>();
    List<String> restored = new ArrayList<>();
    List<Path> entries;
    try (Stream<Path> s = Files.list(dir)) {
      entries = s.sorted().toList();
    }
    for (Path p : entries) {
      String name = p.getFileName().toString();
      String why = null;
      if (name.startsWith(TMP)) {
        why = "interrupted write";
      } else if (name.startsWith(PRUNE)) {
        why = "interrupted prune";
      } else if (name.startsWith(REPLACED)) {
        Matcher m = REPLACED_NAME.matcher(name);
        if (m.matches() && Files.isRegularFile(p.resolve(STATE_FILE)) && !Files.exists(dir.resolve(m.group(1)))) {
          AtomicFiles.move(p, dir.resolve(m.group(1)));
          restored.add(m.group(1) + " (an interrupted replace)");
          continue;
        }
        why = "replaced checkpoint";
      } else if (NAME.matcher(name).matches() && Files.isDirectory(p) && !Files.isRegularFile(p.resolve(STATE_FILE))) {
        why = "no " + STATE_FILE;
      }
      if (why != null) {
        long size = sizeOf(p);
        AtomicFiles.deleteTree(p);
        bytes += size;
        removed.add(name + " (" + why + ", " + humanBytes(size) + ")");
      }
    }
    return new Cleanup(bytes, removed, restored);
  }

  /** Bytes under {@code p} (a file or a folder). */
  public static long sizeOf(Path p) throws IOException {
    if (!Files.exists(p)) {
      return 0;
    }
    try (Stream<Path> s = Files.walk(p)) {
      long sum = 0;
      for (Path f : s.filter(Files::isRegularFile).toList()) {
        sum += Files.size(f);
      }
      return sum;
    } catch (UncheckedIOException e) {
      throw e.getCause();
    }
  }

  /** "412.0 MB": bytes in decimal units. */
  public static String humanBytes(long bytes) {
    if (bytes < 1000) {
      return bytes + " B";
    }
    String[] units = {"kB", "MB", "GB", "TB"};
    double v = bytes;
    int u = -1;
    while (v >= 1000 && u < units.length - 1) {
      v /= 1000;
      u++;
    }
    return String.format(java.util.Locale.ROOT, "%.1f %s", v, units[u]);
  }

  // ---- verification and fallback ----

  /** A checkpoint that failed verification: where it was, why, and where it was moved (null if it could not be). */
  public record Rejected(Path folder, String reason, Path movedTo) {
    @Override
    public String toString() {
      return folder.getFileName() + ": " + reason + (movedTo == null ? "" : " (moved to " + movedTo + ")");
    }
  }

  /** The checkpoint to resume from (null when none verified) and the newer ones rejected on the way. */
  public record Selection(Path checkpoint, List<Rejected> rejected) {
    public Selection {
      rejected = List.copyOf(rejected);
    }
  }

  /**
   * The newest checkpoint that verifies (checksums, {@code state.json}, finite tensors). Each newer {@code step-N}
   * folder that does not is moved to {@code rejected/} and logged (WARN) with its reason; the one chosen is logged too.
   * Older folders are not looked at.
   */
  public Selection newestValid() throws IOException {
    List<Path> all = new ArrayList<>(candidates());
    List<Rejected> rejected = new ArrayList<>();
    for (int i = all.size() - 1; i >= 0; i--) {
      Path c = all.get(i);
      String why = defect(c);
      if (why == null) {
        if (!rejected.isEmpty()) {
          LOG.warn("using checkpoint {} (step {}), the newest valid one, after skipping {}", c, stepOf(c),
              rejected.size() == 1 ? "1 newer checkpoint" : rejected.size() + " newer checkpoints");
        }
        return new Selection(c, rejected);
      }
      Path moved = moveAside(c, why);
      rejected.add(new Rejected(c, why, moved));
      LOG.warn("skipping checkpoint {}: {}; {}", c, why, moved == null ? "it could not be moved aside"
          : "moved to " + moved);
    }
    return new Selection(null, rejected);
  }

  /** The newest checkpoint that verifies, looking only (nothing is moved): what a failed run can resume from. */
  public Optional<Path> newestIntact() throws IOException {
    List<Path> all = list();
    for (int i = all.size() - 1; i >= 0; i--) {
      if (defect(all.get(i)) == null) {
        return Optional.of(all.get(i));
      }
    }
    return Optional.empty();
  }

  /** Why {@code folder} is not a usable checkpoint, or null when it is one. */
  private static String defect(Path folder) {
    try {
      read(folder);
      return null;
    } catch (CorruptCheckpointException e) {
      return e.reason();
    } catch (BadInputException e) {
      return e.getMessage();
    } catch (IOException | RuntimeException e) {
      return "unreadable: " + e;
    }
  }

  private Path moveAside(Path folder, String why) {
    try {
      Path rejectedDir = dir.resolve(REJECTED_DIR);
      Files.createDirectories(rejectedDir);
      Path to = rejectedDir.resolve(folder.getFileName());
      for (int n = 1; Files.exists(to); n++) {
        to = rejectedDir.resolve(folder.getFileName() + "." + n); // rejected before at the same step
      }
      AtomicFiles.move(folder, to);
      Files.writeString(to.resolve(REJECTED_NOTE), "rejected " + Instant.now() + " when resuming: " + why + "\n",
          StandardCharsets.UTF_8);
      return to;
    } catch (IOException | RuntimeException e) {
      LOG.warn("could not move the rejected checkpoint {} aside: {}", folder, e.toString());
      return null;
    }
  }

  /** A checkpoint folder that fails verification; {@link #reason()} says why without the folder's name. */
  public static final class CorruptCheckpointException extends BadInputException {
    private final transient Path folder;
    private final String reason;

    public CorruptCheckpointException(Path folder, String reason) {
      super(folder + ": " + reason + "; the checkpoint is corrupt");
      this.folder = folder;
      this.reason = reason;
    }

    public Path folder() {
      return folder;
    }

    public String reason() {
      return reason;
    }
  }

  /** Reads just the state of a checkpoint folder, checking that it is one. */
  public static CheckpointState readState(Path folder) throws IOException {
    Path state = folder.resolve(STATE_FILE);
    if (!Files.isRegularFile(state)) {
      throw new CorruptCheckpointException(folder, "missing " + STATE_FILE + " (not a complete Cramjet checkpoint)");
    }
    CheckpointState s;
    try {
      s = JSON.readValue(state.toFile(), CheckpointState.class);
    } catch (IOException e) {
      throw new CorruptCheckpointException(folder, "malformed " + STATE_FILE + ": " + e.getMessage());
    }
    if (s.formatVersion() != CheckpointState.FORMAT_VERSION || s.arch() == null) {
      throw new BadInputException(state + ": checkpoint format " + s.formatVersion() + " is not supported (expected "
          + CheckpointState.FORMAT_VERSION + ")");
    }
    if (s.files() == null || s.files().isEmpty()) {
      throw new CorruptCheckpointException(folder, STATE_FILE + " lists no files to verify");
    }
    return s;
  }

  /**
   * Reads and verifies a whole checkpoint folder: every file's SHA-256 against {@code state.json}, then that every
   * parameter and optimizer moment is finite. Failures are {@link CorruptCheckpointException}s naming the file or the
   * first non-finite tensor.
   */
  public static Snapshot read(Path folder) throws IOException {
    CheckpointState s = readState(folder);
    for (Map.Entry<String, String> e : s.files().entrySet()) {
      Path f = folder.resolve(e.getKey());
      if (!Files.isRegularFile(f)) {
        throw new CorruptCheckpointException(folder, "missing " + e.getKey());
      }
      String actual;
      try {
        actual = Hashing.sha256(f);
      } catch (UncheckedIOException ex) {
        throw new CorruptCheckpointException(folder, "unreadable " + e.getKey() + ": " + ex.getCause());
      }
      if (!actual.equals(e.getValue())) {
        throw new CorruptCheckpointException(folder, "checksum mismatch of " + e.getKey() + " (state.json says "
            + e.getValue() + ", the file has " + actual + ")");
      }
    }
    Map<String, Tensor> params = tensors(folder, MODEL_FILE);
    Map<String, Tensor> optimizer = tensors(folder, OPTIMIZER_FILE);
    requireFinite(folder, MODEL_FILE, params);
    requireFinite(folder, OPTIMIZER_FILE, optimizer);
    return new Snapshot(s, params, optimizer);
  }

  private static Map<String, Tensor> tensors(Path folder, String file) throws IOException {
    try {
      return SafeTensors.read(folder.resolve(file)).tensors();
    } catch (BadInputException e) {
      throw new CorruptCheckpointException(folder, e.getMessage());
    }
  }

  /** Throws naming the first tensor (in file order) holding NaN or an infinity. */
  static void requireFinite(Path folder, String file, Map<String, Tensor> tensors) {
    for (Map.Entry<String, Tensor> e : tensors.entrySet()) {
      Tensor t = e.getValue();
      long bad = -1;
      double value = 0;
      if (t.dtype().equals("F32")) {
        FloatBuffer f = t.data().duplicate().order(ByteOrder.LITTLE_ENDIAN).asFloatBuffer();
        for (int i = 0; i < f.limit(); i++) {
          if (!Float.isFinite(f.get(i))) {
            bad = i;
            value = f.get(i);
            break;
          }
        }
      } else if (t.dtype().equals("F64")) {
        DoubleBuffer d = t.data().duplicate().order(ByteOrder.LITTLE_ENDIAN).asDoubleBuffer();
        for (int i = 0; i < d.limit(); i++) {
          if (!Double.isFinite(d.get(i))) {
            bad = i;
            value = d.get(i);
            break;
          }
        }
      }
      if (bad >= 0) {
        throw new CorruptCheckpointException(folder, "non-finite parameters: tensor '" + e.getKey() + "' of " + file
            + " holds " + value + " at element " + bad);
      }
    }
  }

  /** Resolves a user's --resume argument: a checkpoint folder, or a run / checkpoints folder (its newest). */
  public static Path resolve(Path given) throws IOException {
    if (Files.isRegularFile(given.resolve(STATE_FILE))) {
      return given;
    }
    for (Path candidate : List.of(given.resolve("checkpoints"), given)) {
      Optional<Path> latest = new CheckpointStore(candidate, 1).latest();
      if (latest.isPresent()) {
        return latest.get();
      }
    }
    throw noCheckpoint(given);
  }

  private static BadInputException noCheckpoint(Path given) {
    return new BadInputException(given + ": no checkpoint found (expected a step-NNNNNNNN folder with " + STATE_FILE
        + ", or a run folder holding checkpoints/)");
  }

  /**
   * Resolves {@code --resume}, verifying what it picks. A checkpoint folder named explicitly must verify, or it is an
   * error (nothing is moved). A run folder or a checkpoints folder resumes from its newest valid checkpoint: newer ones
   * that fail verification are moved to {@code rejected/} and reported (see {@link #newestValid()}); when none is
   * valid the error lists every rejection.
   */
  public static Selection resolveForResume(Path given) throws IOException {
    boolean explicit = Files.isRegularFile(given.resolve(STATE_FILE))
        || (NAME.matcher(String.valueOf(given.getFileName())).matches() && Files.isDirectory(given));
    if (explicit) {
      try {
        read(given);
      } catch (CorruptCheckpointException e) {
        throw new CorruptCheckpointException(given, e.reason() + " (--resume names this checkpoint; pass the run "
            + "folder instead to fall back to its newest valid checkpoint)");
      }
      return new Selection(given, List.of());
    }
    for (Path candidate : List.of(given.resolve("checkpoints"), given)) {
      CheckpointStore store = new CheckpointStore(candidate, 1);
      if (store.candidates().isEmpty()) {
        continue;
      }
      Selection sel = store.newestValid();
      if (sel.checkpoint() == null) {
        StringBuilder sb = new StringBuilder(given + ": no valid checkpoint to resume from; rejected "
            + sel.rejected().size() + ":");
        for (Rejected r : sel.rejected()) {
          sb.append("\n  ").append(r);
        }
        throw new BadInputException(sb.toString());
      }
      return sel;
    }
    throw noCheckpoint(given);
  }
}
