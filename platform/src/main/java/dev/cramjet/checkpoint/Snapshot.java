package dev.cramjet.checkpoint;

import dev.cramjet.checkpoint.SafeTensors.Tensor;
import java.util.Map;

/**
 * A host-memory copy of a training run at one step: parameters and optimizer state by name, plus the rest of the
 * state. Taken on the trainer thread (a copy, so training can go on) and written by whoever owns the disk.
 */
public record Snapshot(CheckpointState state, Map<String, Tensor> params, Map<String, Tensor> optimizer) {}
