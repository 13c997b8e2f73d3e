package dev.cramjet.actors;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.cramjet.actors.runtime.DataLoader;
import dev.cramjet.actors.runtime.MicroBatch;
import dev.cramjet.actors.serialization.KryoRegistry;
import dev.cramjet.actors.serialization.KryoSerializer;
import dev.cramjet.train.MlmMasker;
import java.util.HashSet;
import java.util.Set;
import org.apache.pekko.actor.testkit.typed.javadsl.ActorTestKit;
import org.apache.pekko.actor.testkit.typed.javadsl.TestProbe;
import org.apache.pekko.serialization.Serialization;
import org.apache.pekko.serialization.SerializationExtension;
import org.apache.pekko.serialization.Serializer;
import org.apache.pekko.actor.typed.javadsl.Adapter;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.Test;

/** Every cross-node message goes through the Kryo serializer that Pekko's config binds, and comes back equal. */
class KryoSerializerTest {
  static final ActorTestKit kit = ActorTestKit.create();
  static final Serialization serialization = SerializationExtension.get(Adapter.toClassic(kit.system()));

  @AfterAll
  static void stop() {
    kit.shutdownTestKit();
  }

  private Object roundTrip(Object message) {
    Serializer s = serialization.findSerializerFor(message);
    assertEquals(KryoSerializer.IDENTIFIER, s.identifier(), "bound to Kryo: " + message.getClass());
    byte[] bytes = s.toBinary(message);
    return serialization.deserialize(bytes, s.identifier(), "").get();
  }

  @Test
  void loadRequestKeepsItsRangeAndReplyReference() {
    TestProbe<DataLoader.Rows> probe = kit.createTestProbe();
    DataLoader.Load back = (DataLoader.Load) roundTrip(new DataLoader.Load(1L << 35, 32, probe.getRef()));
    assertEquals(1L << 35, back.firstRow());
    assertEquals(32, back.rows());
    assertEquals(probe.getRef(), back.replyTo());
  }

  @Test
  void rowsKeepEveryTokenAndTheirOrigin() {
    int[] tokens = new int[4 * 16];
    for (int i = 0; i < tokens.length; i++) {
      tokens[i] = (i * 7919) % 8192;
    }
    DataLoader.Rows back = (DataLoader.Rows) roundTrip(new DataLoader.Rows(96, 4, 16, tokens, "worker@host"));
    assertEquals(96, back.firstRow());
    assertEquals(4, back.rows());
    assertEquals(16, back.seqLen());
    assertArrayEquals(tokens, back.tokens());
    assertEquals("worker@host", back.loadedBy());
  }

  @Test
  void microBatchKeepsInputsPositionsAndLabels() {
    int[] tokens = new int[32 * 128];
    for (int i = 0; i < tokens.length; i++) {
      tokens[i] = 5 + (i * 31) % 8000;
    }
    MicroBatch mb = MicroBatch.of(640, new MlmMasker(0.25, 128, 8192, 1).mask(tokens, 32, 640), "local");
    MicroBatch back = (MicroBatch) roundTrip(mb);
    assertEquals(640, back.firstRow());
    assertArrayEquals(mb.inputIds(), back.inputIds());
    assertArrayEquals(mb.maskedPositions(), back.maskedPositions());
    assertArrayEquals(mb.labels(), back.labels());
    // Packed varints: ids under 8192 take at most 2 bytes, positions under 4096 at most 2; far below 4 bytes an int.
    int bytes = serialization.findSerializerFor(mb).toBinary(mb).length;
    assertTrue(bytes < 2 * (32 * 128 + 2 * 32 * 32) + 64, "a 32 x 128 masked micro-batch takes " + bytes + " bytes");
  }

  @Test
  void everyRegisteredMessageIsACrossNodeRecordWithItsOwnId() {
    Set<Class<?>> seen = new HashSet<>();
    for (Class<?> c : KryoRegistry.MESSAGES) {
      assertTrue(CrossNode.class.isAssignableFrom(c) && c.isRecord(), c.getName());
      assertTrue(seen.add(c), "registered twice: " + c);
    }
  }

  @Test
  void anUnregisteredClassIsRefused() {
    Serializer s = serialization.serializerByIdentity().apply(KryoSerializer.IDENTIFIER);
    assertThrows(IllegalArgumentException.class, () -> s.toBinary(new java.util.ArrayList<>(java.util.List.of(1))));
  }
}
