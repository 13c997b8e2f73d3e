/**
 * The actors of one pretraining run, started and ended by {@link dev.cramjet.actors.runtime.RunSupervisor}: data
 * loaders and the batch assembler, the {@link dev.cramjet.actors.runtime.Trainer} on its pinned DJL thread, the
 * checkpointer, the budget keeper and the evaluator, with the run's row split ({@link
 * dev.cramjet.actors.runtime.RunRows}) and the {@code daemon} block's settings. The training rules are the platform's
 * ({@code StepPlan}), so the actors train exactly as the foreground loop does, and what they write to disk is rendered
 * by platform code. It depends on the platform and on the shared messages of {@code dev.cramjet.actors}; it must not
 * depend on the HTTP control API, sweeps, the cluster node or the CLI, which start it and talk to it by messages.
 */
package dev.cramjet.actors.runtime;
