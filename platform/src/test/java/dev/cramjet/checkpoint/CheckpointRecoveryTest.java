package dev.cramjet.checkpoint;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.cramjet.checkpoint.SafeTensors.Tensor;
import dev.cramjet.model.ArchConfig;
import dev.cramjet.util.BadInputException;
import dev.cramjet.util.Hashing;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The checkpoint store against real files: canonical bytes, verification (checksums, state.json, finite tensors), the
 * fallback to the newest valid checkpoint with rejected ones moved aside, and write failures from a real device that
 * is full ({@code /dev/full}).
 */
class CheckpointRecoveryTest {
  @TempDir Path tmp;

  private static final ArchConfig ARCH = dev.cramjet.config.ConfigBinder.bind(
      dev.cramjet.config.Presets.load("arch", "tiny"), ArchConfig.class, "arch");

  static CheckpointState state(long step) {
    return new CheckpointState(CheckpointState.FORMAT_VERSION, ARCH, step, step * 100, step * 8, step * 1_000_000L,
        7, 2.5, "cfg", "arch = test", "abc", "none", "2026-01-01T00:00:00Z", Map.of());
  }

  /** Named random tensors, in the given name order. */
  static Map<String, Tensor> tensors(long seed, List<String> names) {
    Map<String, Tensor> out = new LinkedHashMap<>();
    for (String n : names) {
      Random r = new Random(seed * 31 + n.hashCode());
      float[] v = new float[6 + Math.abs(n.hashCode() % 5)];
      for (int i = 0; i < v.length; i++) {
        v[i] = (float) r.nextGaussian();
      }
      out.put(n, SafeTensors.f32(v, v.length));
    }
    return out;
  }

  static final List<String> PARAMS = List.of("embedding.word.weight", "encoder.layer.0.ffn.weight", "a.bias", "z.norm");
  static final List<String> MOMENTS = List.of("embedding.word.weight.m", "embedding.word.weight.v", "a.bias.m");

  static Snapshot snapshot(long step) {
    return new Snapshot(state(step), tensors(step, PARAMS), tensors(step + 1000, MOMENTS));
  }

  @Test
  void equalStatesGiveEqualBytesWhateverTheMapOrder() throws Exception {
    Snapshot a = snapshot(5);
    List<String> reversedParams = new ArrayList<>(PARAMS);
    Collections.reverse(reversedParams);
    List<String> reversedMoments = new ArrayList<>(MOMENTS);
    Collections.reverse(reversedMoments);
    Snapshot b = new Snapshot(state(5), tensors(5, reversedParams), tensors(1005, reversedMoments));
    assertEquals(a.params().keySet(), b.params().keySet());
    assertFalse(List.copyOf(a.params().keySet()).equals(List.copyOf(b.params().keySet())), "different orders");
    Path fa = new CheckpointStore(tmp.resolve("a"), 3).write(a);
    Path fb = new CheckpointStore(tmp.resolve("b"), 3).write(b);
    for (String f : List.of(CheckpointStore.MODEL_FILE, CheckpointStore.OPTIMIZER_FILE)) {
      assertArrayEquals(Files.readAllBytes(fa.resolve(f)), Files.readAllBytes(fb.resolve(f)), f);
      assertEquals(Hashing.sha256(fa.resolve(f)), Hashing.sha256(fb.resolve(f)), f);
    }
    assertEquals(CheckpointStore.readState(fa).files(), CheckpointStore.readState(fb).files());
  }

  @Test
  void safetensorsMetadataIsWrittenInAFixedOrder() throws Exception {
    Map<String, String> m1 = new LinkedHashMap<>();
    m1.put("format", "pt");
    m1.put("cramjet.step", "7");
    m1.put("zeta", "1");
    Map<String, String> m2 = new LinkedHashMap<>();
    m2.put("zeta", "1");
    m2.put("cramjet.step", "7");
    m2.put("format", "pt");
    Map<String, Tensor> t = tensors(1, PARAMS);
    SafeTensors.write(tmp.resolve("1.safetensors"), t, m1);
    SafeTensors.write(tmp.resolve("2.safetensors"), t, m2);
    assertArrayEquals(Files.readAllBytes(tmp.resolve("1.safetensors")), Files.readAllBytes(tmp.resolve("2.safetensors")));
    assertEquals(m1, SafeTensors.read(tmp.resolve("2.safetensors")).metadata());
  }

  @Test
  void nonFiniteParametersWithMatchingChecksumsAreRejectedNamingTheTensor() throws Exception {
    Map<String, Tensor> params = tensors(3, PARAMS);
    float[] v = params.get("encoder.layer.0.ffn.weight").toFloats();
    v[2] = Float.NaN;
    params.put("encoder.layer.0.ffn.weight", SafeTensors.f32(v, v.length));
    Path folder = new CheckpointStore(tmp.resolve("ck"), 3).write(new Snapshot(state(3), params,
        tensors(1003, MOMENTS)));
    CheckpointStore.CorruptCheckpointException e =
        assertThrows(CheckpointStore.CorruptCheckpointException.class, () -> CheckpointStore.read(folder));
    assertTrue(e.getMessage().contains("'encoder.layer.0.ffn.weight'") && e.getMessage().contains("NaN")
        && e.getMessage().contains("element 2") && e.getMessage().contains("model.safetensors"), e.getMessage());

    Map<String, Tensor> moments = tensors(1004, MOMENTS);
    float[] m = moments.get("a.bias.m").toFloats();
    m[0] = Float.POSITIVE_INFINITY;
    moments.put("a.bias.m", SafeTensors.f32(m, m.length));
    Path folder2 = new CheckpointStore(tmp.resolve("ck2"), 3).write(new Snapshot(state(4), tensors(4, PARAMS),
        moments));
    e = assertThrows(CheckpointStore.CorruptCheckpointException.class, () -> CheckpointStore.read(folder2));
    assertTrue(e.getMessage().contains("'a.bias.m'") && e.getMessage().contains("optimizer.safetensors")
        && e.getMessage().contains("Infinity"), e.getMessage());
  }

  /** Three checkpoints (steps 2, 4, 6) in run/checkpoints. */
  private Path threeCheckpoints() throws Exception {
    Path run = tmp.resolve("run");
    CheckpointStore store = new CheckpointStore(run.resolve("checkpoints"), 3);
    for (long s : new long[] {2, 4, 6}) {
      store.write(snapshot(s));
    }
    return run;
  }

  private static void flipLastByte(Path file) throws Exception {
    byte[] b = Files.readAllBytes(file);
    b[b.length - 1] ^= 0x40;
    Files.write(file, b);
  }

  @Test
  void resumeFallsBackPastACorruptAndAStatelessCheckpointAndMovesThemAside() throws Exception {
    Path run = threeCheckpoints();
    Path ck = run.resolve("checkpoints");
    flipLastByte(ck.resolve("step-00000006/model.safetensors"));
    Files.delete(ck.resolve("step-00000004/state.json"));

    CheckpointStore.Selection sel = CheckpointStore.resolveForResume(run);
    assertEquals(ck.resolve("step-00000002"), sel.checkpoint());
    assertEquals(2, sel.rejected().size(), sel.rejected().toString());
    assertTrue(sel.rejected().get(0).reason().contains("checksum mismatch of model.safetensors"),
        sel.rejected().get(0).reason());
    assertTrue(sel.rejected().get(1).reason().contains("missing state.json"), sel.rejected().get(1).reason());
    // The evidence is kept, out of the way of listing, pruning and cleanup.
    Path r6 = ck.resolve("rejected/step-00000006");
    assertEquals(r6, sel.rejected().get(0).movedTo());
    assertTrue(Files.isRegularFile(r6.resolve("model.safetensors")));
    assertTrue(Files.readString(r6.resolve(CheckpointStore.REJECTED_NOTE)).contains("checksum mismatch"));
    assertTrue(Files.isRegularFile(ck.resolve("rejected/step-00000004/model.safetensors")));
    CheckpointStore store = new CheckpointStore(ck, 3);
    assertEquals(List.of(ck.resolve("step-00000002")), store.list());
    assertTrue(store.cleanup().isEmpty(), "cleanup leaves rejected/ alone");

    // A later save of the same step does not collide with the rejected one; a second rejection gets its own name.
    store.write(snapshot(6));
    assertTrue(Files.isRegularFile(ck.resolve("step-00000006/state.json")));
    assertTrue(Files.isRegularFile(r6.resolve("model.safetensors")));
    flipLastByte(ck.resolve("step-00000006/optimizer.safetensors"));
    CheckpointStore.Selection again = CheckpointStore.resolveForResume(run);
    assertEquals(ck.resolve("step-00000002"), again.checkpoint());
    assertEquals(ck.resolve("rejected/step-00000006.1"), again.rejected().get(0).movedTo());
    assertTrue(again.rejected().get(0).reason().contains("optimizer.safetensors"));
  }

  @Test
  void nonFiniteNewestIsRejectedLikeACorruptOne() throws Exception {
    Path run = threeCheckpoints();
    Path ck = run.resolve("checkpoints");
    writeNaNKeepingChecksums(ck.resolve("step-00000006"), "z.norm");
    CheckpointStore.Selection sel = CheckpointStore.resolveForResume(run);
    assertEquals(ck.resolve("step-00000004"), sel.checkpoint());
    assertTrue(sel.rejected().get(0).reason().contains("non-finite") && sel.rejected().get(0).reason()
        .contains("'z.norm'"), sel.rejected().get(0).reason());
  }

  /** Overwrites one value of {@code tensor} with NaN and fixes state.json's checksum, so only the values are wrong. */
  static void writeNaNKeepingChecksums(Path folder, String tensor) throws Exception {
    Path model = folder.resolve(CheckpointStore.MODEL_FILE);
    SafeTensors.Contents c = SafeTensors.read(model);
    Map<String, Tensor> t = new LinkedHashMap<>();
    c.tensors().forEach((k, v) -> {
      ByteBuffer copy = ByteBuffer.allocate(v.data().remaining()).order(ByteOrder.LITTLE_ENDIAN);
      copy.put(v.data().duplicate()).flip();
      t.put(k, new Tensor(v.dtype(), v.shape(), copy));
    });
    t.get(tensor).data().putFloat(0, Float.NaN);
    SafeTensors.write(model, t, c.metadata());
    ObjectMapper json = new ObjectMapper();
    ObjectNode state = (ObjectNode) json.readTree(folder.resolve(CheckpointStore.STATE_FILE).toFile());
    ((ObjectNode) state.get("files")).put(CheckpointStore.MODEL_FILE, Hashing.sha256(model));
    json.writeValue(folder.resolve(CheckpointStore.STATE_FILE).toFile(), state);
  }

  @Test
  void anExplicitCorruptCheckpointIsAnErrorAndStaysWhereItIs() throws Exception {
    Path run = threeCheckpoints();
    Path six = run.resolve("checkpoints/step-00000006");
    flipLastByte(six.resolve("optimizer.safetensors"));
    CheckpointStore.CorruptCheckpointException e = assertThrows(CheckpointStore.CorruptCheckpointException.class,
        () -> CheckpointStore.resolveForResume(six));
    assertTrue(e.getMessage().contains("checksum mismatch of optimizer.safetensors"), e.getMessage());
    assertTrue(Files.isDirectory(six), "an explicitly named checkpoint is not moved");
    Files.delete(six.resolve("state.json"));
    e = assertThrows(CheckpointStore.CorruptCheckpointException.class, () -> CheckpointStore.resolveForResume(six));
    assertTrue(e.getMessage().contains("missing state.json"), e.getMessage());
  }

  @Test
  void noValidCheckpointFailsListingEveryRejection() throws Exception {
    Path run = threeCheckpoints();
    Path ck = run.resolve("checkpoints");
    flipLastByte(ck.resolve("step-00000006/model.safetensors"));
    Files.delete(ck.resolve("step-00000004/state.json"));
    writeNaNKeepingChecksums(ck.resolve("step-00000002"), "a.bias");
    BadInputException e = assertThrows(BadInputException.class, () -> CheckpointStore.resolveForResume(run));
    String m = e.getMessage();
    assertTrue(m.contains("no valid checkpoint") && m.contains("rejected 3"), m);
    assertTrue(m.contains("step-00000006: checksum mismatch") && m.contains("step-00000004: missing state.json")
        && m.contains("step-00000002: non-finite"), m);
  }

  @Test
  void aWriteOnAFullDiskNamesStepAndFileAndLeavesOlderCheckpointsIntact() throws Exception {
    assumeTrue(Files.isWritable(Path.of("/dev/full")), "needs /dev/full");
    Path ck = tmp.resolve("ck");
    CheckpointStore.FileOpener full = (file, step) -> step == 6
        ? FileChannel.open(Path.of("/dev/full"), StandardOpenOption.WRITE) : CheckpointStore.FILES.open(file, step);
    CheckpointStore store = new CheckpointStore(ck, 2, full);
    store.write(snapshot(2));
    store.write(snapshot(4));
    CheckpointWriteException e = assertThrows(CheckpointWriteException.class, () -> store.write(snapshot(6)));
    String m = e.getMessage();
    assertTrue(m.contains("step 6") && m.contains(ck.resolve("step-00000006").toString())
        && m.contains("model.safetensors") && m.contains("No space left on device"), m);
    assertEquals(6, e.step());
    assertEquals(List.of(ck.resolve("step-00000002"), ck.resolve("step-00000004")), store.list());
    try (Stream<Path> s = Files.list(ck)) {
      assertEquals(List.of("step-00000002", "step-00000004"), s.map(p -> p.getFileName().toString()).sorted()
          .toList(), "no temporary folder left behind");
    }
    assertEquals(ck.resolve("step-00000004"), store.newestIntact().orElseThrow());
    CheckpointStore.read(ck.resolve("step-00000004"));
  }

  @Test
  void cleanupRemovesWhatNoCheckpointOwnsAndCountsTheBytes() throws Exception {
    Path run = threeCheckpoints();
    Path ck = run.resolve("checkpoints");
    byte[] mb = new byte[1_000_000];
    Files.createDirectories(ck.resolve(".tmp-step-00000008-123"));
    Files.write(ck.resolve(".tmp-step-00000008-123/model.safetensors"), mb);
    Files.createDirectories(ck.resolve(".prune-step-00000001-9"));
    Files.write(ck.resolve(".prune-step-00000001-9/optimizer.safetensors"), mb);
    Files.createDirectories(ck.resolve("step-00000000"));
    Files.write(ck.resolve("step-00000000/model.safetensors"), mb); // pruned by an older version, state.json gone
    Files.createDirectories(ck.resolve("rejected/step-00000005"));
    Files.write(ck.resolve("rejected/step-00000005/model.safetensors"), mb);
    CheckpointStore store = new CheckpointStore(ck, 3);
    List<Path> before = store.list();
    CheckpointStore.Cleanup c = store.cleanup();
    assertEquals(3_000_000, c.bytes());
    assertEquals(3, c.removed().size(), c.removed().toString());
    assertTrue(c.describe(ck).contains("3.0 MB"), c.describe(ck));
    assertFalse(Files.exists(ck.resolve(".tmp-step-00000008-123")));
    assertFalse(Files.exists(ck.resolve(".prune-step-00000001-9")));
    assertFalse(Files.exists(ck.resolve("step-00000000")));
    assertTrue(Files.exists(ck.resolve("rejected/step-00000005/model.safetensors")));
    assertEquals(before, store.list());
    for (Path p : store.list()) {
      CheckpointStore.read(p);
    }
    assertTrue(store.cleanup().isEmpty());
  }

  @Test
  void aCheckpointCaughtBetweenTheRenamesOfAReplaceIsRestored() throws Exception {
    Path run = threeCheckpoints();
    Path ck = run.resolve("checkpoints");
    Files.move(ck.resolve("step-00000006"), ck.resolve(".replaced-step-00000006-77"));
    CheckpointStore store = new CheckpointStore(ck, 3);
    CheckpointStore.Cleanup c = store.cleanup();
    assertEquals(List.of("step-00000006 (an interrupted replace)"), c.restored());
    assertEquals(ck.resolve("step-00000006"), store.latest().orElseThrow());
    CheckpointStore.read(ck.resolve("step-00000006"));
  }
}
