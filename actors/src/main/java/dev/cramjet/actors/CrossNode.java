package dev.cramjet.actors;

/**
 * Marks a message that may travel between cluster nodes. Pekko's serialization config binds this interface to the
 * Kryo serializer ({@link dev.cramjet.actors.serialization.KryoSerializer}); every implementing type must also be
 * registered there, so a node never deserializes a class it did not expect. Implementations are records of plain values
 * and primitive arrays (and actor references for replies).
 */
public interface CrossNode {}
