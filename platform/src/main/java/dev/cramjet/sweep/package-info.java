/**
 * Budget sweeps: a grid of config overrides, each cell trained for the same budget and scored on the same held-out
 * rows. This package holds what a sweep is ({@link dev.cramjet.sweep.SweepSpec}, its cells) and what it has done
 * ({@link dev.cramjet.sweep.SweepState}, one {@link dev.cramjet.sweep.CellResult} per cell), with no training code:
 * the runtime trains cells in this process or on cluster workers.
 */
package dev.cramjet.sweep;
