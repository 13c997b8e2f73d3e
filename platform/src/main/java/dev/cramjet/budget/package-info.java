/**
 * The training budget: a {@link dev.cramjet.budget.Budget} counted in wall-clock seconds, optimizer steps or tokens,
 * and the pause-aware {@link dev.cramjet.budget.BudgetClock} that measures it and yields the budget fraction t in
 * [0, 1] driving the learning-rate schedule ({@link dev.cramjet.budget.LrSchedule}, also here) and the batch ramp. Its
 * state is a small record that checkpoints save and restore, so a resumed run continues the same clock.
 */
package dev.cramjet.budget;
