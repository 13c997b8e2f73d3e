/**
 * The actor runtime of Cramjet: Pekko Typed actors that each own one concern of a pretraining run (loading rows,
 * masking, the DJL trainer on its own thread, checkpoints, the budget clock, evaluation) and talk by messages only.
 * This package holds what the pieces share: the {@link dev.cramjet.actors.CrossNode} marker for messages that may cross
 * nodes, the {@link dev.cramjet.actors.StatusBoard} that actors publish their progress to (read by the control API
 * and, later, the metrics endpoint), and the replies of control commands. The actors live in {@code runtime}, the HTTP
 * control API and its client in {@code control}, the Kryo serializer in {@code serialization}, the data worker node in
 * {@code cluster}.
 */
package dev.cramjet.actors;
