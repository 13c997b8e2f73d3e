package dev.cramjet.checkpoint;

import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import dev.cramjet.util.AtomicFiles;
import dev.cramjet.util.BadInputException;
import dev.cramjet.util.Hashing;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;

/**
 * The checkpoints of one run: folders {@code step-00001234/} holding {@code model.safetensors}, {@code
 * optimizer.safetensors} and {@code state.json}. A folder is written under a temporary name, every file fsynced, and
 * renamed into place, so a crash never leaves a half-written checkpoint under a real name; only the newest {@code keep}
 * are kept. Reading verifies each file's SHA-256 against {@code state.json}.
 */
public final class CheckpointStore {
  static final ObjectMapper JSON = new ObjectMapper()
      .enable(SerializationFeature.INDENT_OUTPUT)
      .disable(DeserializationFeature.FAIL_ON_UNKNOWN_PROPERTIES);
  private static final Pattern NAME = Pattern.compile("step-(\\d{8,})");
  public static final String MODEL_FILE = "model.safetensors";
  public static final String OPTIMIZER_FILE = "optimizer.safetensors";
  public static final String STATE_FILE = "state.json";

  private final Path dir;
  private final int keep;

  public CheckpointStore(Path dir, int keep) {
    if (keep < 1) {
      throw new IllegalArgumentException("keep must be >= 1");
    }
    this.dir = dir;
    this.keep = keep;
  }

  public Path dir() {
    return dir;
  }

  /** Writes {@code s} as a new checkpoint folder and prunes old ones; returns the folder. */
  public Path write(Snapshot s) throws IOException {
    Files.createDirectories(dir);
    Path target = dir.resolve(String.format("step-%08d", s.state().step()));
    Path tmp = dir.resolve(".tmp-" + target.getFileName() + "-" + System.nanoTime());
    Files.createDirectories(tmp);
    try {
      Map<String, String> meta = Map.of("format", "cramjet-checkpoint", "step", Long.toString(s.state().step()));
      SafeTensors.write(tmp.resolve(MODEL_FILE), s.params(), meta);
      SafeTensors.write(tmp.resolve(OPTIMIZER_FILE), s.optimizer(), meta);
      Map<String, String> sums = new LinkedHashMap<>();
      sums.put(MODEL_FILE, Hashing.sha256(tmp.resolve(MODEL_FILE)));
      sums.put(OPTIMIZER_FILE, Hashing.sha256(tmp.resolve(OPTIMIZER_FILE)));
      byte[] state = JSON.writeValueAsBytes(s.state().withFiles(sums));
      Files.write(tmp.resolve(STATE_FILE), state);
      AtomicFiles.fsync(tmp.resolve(STATE_FILE));
      AtomicFiles.fsyncDir(tmp);
      if (Files.exists(target)) {
        AtomicFiles.deleteTree(target); // same step written twice (e.g. stop right after a periodic checkpoint)
      }
      AtomicFiles.move(tmp, target);
    } catch (IOException | RuntimeException e) {
      AtomicFiles.deleteTree(tmp);
      throw e;
    }
    prune();
    return target;
  }

  /** The checkpoint folders, oldest first (temporaries and foreign folders are ignored). */
  public List<Path> list() throws IOException {
    if (!Files.isDirectory(dir)) {
      return List.of();
    }
    try (Stream<Path> s = Files.list(dir)) {
      return s.filter(p -> NAME.matcher(p.getFileName().toString()).matches())
          .filter(p -> Files.isRegularFile(p.resolve(STATE_FILE)))
          .sorted(Comparator.comparingLong(CheckpointStore::stepOf))
          .toList();
    }
  }

  public Optional<Path> latest() throws IOException {
    List<Path> all = list();
    return all.isEmpty() ? Optional.empty() : Optional.of(all.get(all.size() - 1));
  }

  private void prune() throws IOException {
    List<Path> all = new ArrayList<>(list());
    while (all.size() > keep) {
      AtomicFiles.deleteTree(all.remove(0));
    }
    try (Stream<Path> s = Files.list(dir)) {
      for (Path p : s.filter(p -> p.getFileName().toString().startsWith(".tmp-")).toList()) {
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

  /** Reads just the state of a checkpoint folder, checking that it is one. */
  public static CheckpointState readState(Path folder) throws IOException {
    Path state = folder.resolve(STATE_FILE);
    if (!Files.isRegularFile(state)) {
      throw new BadInputException(folder + " is not a Cramjet checkpoint: no " + STATE_FILE);
    }
    CheckpointState s;
    try {
      s = JSON.readValue(state.toFile(), CheckpointState.class);
    } catch (IOException e) {
      throw new BadInputException(state + ": malformed checkpoint state: " + e.getMessage(), e);
    }
    if (s.formatVersion() != CheckpointState.FORMAT_VERSION || s.arch() == null) {
      throw new BadInputException(state + ": checkpoint format " + s.formatVersion() + " is not supported (expected "
          + CheckpointState.FORMAT_VERSION + ")");
    }
    return s;
  }

  /** Reads and verifies a whole checkpoint folder. */
  public static Snapshot read(Path folder) throws IOException {
    CheckpointState s = readState(folder);
    for (Map.Entry<String, String> e : s.files().entrySet()) {
      Path f = folder.resolve(e.getKey());
      if (!Files.isRegularFile(f)) {
        throw new BadInputException(folder + ": missing " + e.getKey());
      }
      String actual = Hashing.sha256(f);
      if (!actual.equals(e.getValue())) {
        throw new BadInputException(f + ": checksum mismatch (state.json says " + e.getValue() + ", file has "
            + actual + "); the checkpoint is corrupt");
      }
    }
    return new Snapshot(s, SafeTensors.read(folder.resolve(MODEL_FILE)).tensors(),
        SafeTensors.read(folder.resolve(OPTIMIZER_FILE)).tensors());
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
    throw new BadInputException(given + ": no checkpoint found (expected a step-NNNNNNNN folder with " + STATE_FILE
        + ", or a run folder holding checkpoints/)");
  }
}
