package dev.cramjet.actors.serialization;

import com.esotericsoftware.kryo.Kryo;
import com.esotericsoftware.kryo.io.Input;
import com.esotericsoftware.kryo.io.Output;
import com.esotericsoftware.kryo.util.Pool;
import org.apache.pekko.actor.ExtendedActorSystem;
import org.apache.pekko.actor.typed.ActorRefResolver;
import org.apache.pekko.actor.typed.javadsl.Adapter;
import org.apache.pekko.serialization.JSerializer;

/**
 * Pekko serializer for {@link dev.cramjet.actors.CrossNode} messages, bound to that interface in reference.conf.
 * Kryo writes the registered class id and the record's components; token arrays go as packed varints. Only the classes
 * of {@link KryoRegistry} are accepted, on writing and on reading. Kryo instances are not thread-safe, so each call
 * borrows one from a pool.
 */
public final class KryoSerializer extends JSerializer {
  /** Pekko serializer id; must be unique in the system and stable across nodes. */
  public static final int IDENTIFIER = 7_210_001;

  private final ExtendedActorSystem system;
  private volatile ActorRefResolver resolver;
  private final Pool<Kryo> pool = new Pool<>(true, false, 16) {
    @Override
    protected Kryo create() {
      return KryoRegistry.newKryo(resolver());
    }
  };

  public KryoSerializer(ExtendedActorSystem system) {
    this.system = system;
  }

  // Resolved lazily: serializers are built while the actor system starts, before the typed extension can be asked.
  private ActorRefResolver resolver() {
    ActorRefResolver r = resolver;
    if (r == null) {
      r = ActorRefResolver.get(Adapter.toTyped(system));
      resolver = r;
    }
    return r;
  }

  @Override
  public int identifier() {
    return IDENTIFIER;
  }

  @Override
  public boolean includeManifest() {
    return false; // Kryo writes its own class id
  }

  @Override
  public byte[] toBinary(Object o) {
    Kryo kryo = pool.obtain();
    try {
      Output out = new Output(256, -1);
      kryo.writeClassAndObject(out, o);
      return out.toBytes();
    } finally {
      pool.free(kryo);
    }
  }

  @Override
  public Object fromBinaryJava(byte[] bytes, Class<?> manifest) {
    Kryo kryo = pool.obtain();
    try {
      return kryo.readClassAndObject(new Input(bytes));
    } finally {
      pool.free(kryo);
    }
  }
}
