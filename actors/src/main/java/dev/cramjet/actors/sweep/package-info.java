/**
 * Budget sweeps at run time: {@link dev.cramjet.actors.sweep.CellTrainer} trains and scores one cell in this JVM;
 * {@link dev.cramjet.actors.sweep.LocalSweep} runs a sweep's cells one after another.
 */
package dev.cramjet.actors.sweep;
