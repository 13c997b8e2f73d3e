/**
 * Checkpoints on disk: the safetensors format, read and written without an ML library ({@link
 * dev.cramjet.checkpoint.SafeTensors}, also used by export), the {@link dev.cramjet.checkpoint.CheckpointState} written
 * as {@code state.json} beside the tensors (step, data cursor, budget clock, provenance), the host-memory {@link
 * dev.cramjet.checkpoint.Snapshot} a trainer hands over, and the {@link dev.cramjet.checkpoint.CheckpointStore} that
 * writes folders atomically, verifies checksums and finiteness on load, prunes, and sets rejected ones aside. It knows
 * the model only as an {@code ArchConfig} and named tensors; it must not depend on training, configs or actors, so the
 * foreground loop, the actor runtime and export share it.
 */
package dev.cramjet.checkpoint;
