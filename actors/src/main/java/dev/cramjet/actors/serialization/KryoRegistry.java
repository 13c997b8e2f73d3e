package dev.cramjet.actors.serialization;

import com.esotericsoftware.kryo.Kryo;
import com.esotericsoftware.kryo.Serializer;
import com.esotericsoftware.kryo.io.Input;
import com.esotericsoftware.kryo.io.Output;
import dev.cramjet.actors.runtime.DataLoader;
import dev.cramjet.actors.runtime.MicroBatch;
import java.util.List;
import org.apache.pekko.actor.typed.ActorRef;
import org.apache.pekko.actor.typed.ActorRefResolver;

/**
 * The closed list of classes Kryo may read or write, each with a fixed id, so both ends agree and nothing else is ever
 * deserialized ({@code registrationRequired}). Adding a cross-node message means adding it to {@link #MESSAGES} (ids
 * are positions: append, never reorder). Actor references travel as their serialization-format strings.
 */
public final class KryoRegistry {
  private KryoRegistry() {}

  /** Every {@link dev.cramjet.actors.CrossNode} message type, in id order. */
  public static final List<Class<?>> MESSAGES = List.of(
      DataLoader.Load.class,
      DataLoader.Rows.class,
      MicroBatch.class,
      dev.cramjet.actors.sweep.SweepWorker.RunCell.class,
      dev.cramjet.actors.sweep.SweepCoordinator.CellDone.class);

  private static final int FIRST_ID = 100;
  private static final int ACTOR_REF_ID = 90;

  /** A Kryo set up for Cramjet's messages; {@code resolver} turns actor references into strings and back. */
  public static Kryo newKryo(ActorRefResolver resolver) {
    Kryo kryo = new Kryo();
    kryo.setRegistrationRequired(true);
    kryo.setReferences(false); // messages are trees of values: no shared or cyclic references to track
    kryo.register(int[].class, 20);
    kryo.register(long[].class, 21);
    kryo.register(float[].class, 22);
    kryo.register(byte[].class, 23);
    // String, the boxed primitives and the primitives are registered by Kryo itself.
    ActorRefSerializer refs = new ActorRefSerializer(resolver);
    kryo.addDefaultSerializer(ActorRef.class, refs);
    kryo.register(actorRefClass(), refs, ACTOR_REF_ID);
    for (int i = 0; i < MESSAGES.size(); i++) {
      kryo.register(MESSAGES.get(i), FIRST_ID + i); // records get Kryo's RecordSerializer
    }
    return kryo;
  }

  /** The class typed actor references have at run time (local and remote alike: an adapter around a classic ref). */
  static Class<?> actorRefClass() {
    try {
      return Class.forName("org.apache.pekko.actor.typed.internal.adapter.ActorRefAdapter");
    } catch (ClassNotFoundException e) {
      throw new IllegalStateException("this Pekko version has no ActorRefAdapter; update KryoRegistry", e);
    }
  }

  private static final class ActorRefSerializer extends Serializer<ActorRef<?>> {
    private final ActorRefResolver resolver;

    ActorRefSerializer(ActorRefResolver resolver) {
      this.resolver = resolver;
      setImmutable(true);
    }

    @Override
    public void write(Kryo kryo, Output output, ActorRef<?> ref) {
      output.writeString(resolver.toSerializationFormat(ref));
    }

    @Override
    public ActorRef<?> read(Kryo kryo, Input input, Class<? extends ActorRef<?>> type) {
      return resolver.resolveActorRef(input.readString());
    }
  }
}
