/**
 * The training core below the train-step loop: MLM masking of token rows ({@link dev.cramjet.train.MlmMasker}),
 * the project's AdamW with name-keyed, saveable state and an explicit weight-decay rule ({@link
 * dev.cramjet.train.AdamW}), global-norm gradient clipping ({@link dev.cramjet.train.GradClip}), the batch-size ramp in
 * whole micro-batches ({@link dev.cramjet.train.BatchRamp}) and the {@link dev.cramjet.train.StepPlan} that applies
 * the budget-driven learning-rate schedule ({@code dev.cramjet.budget.LrSchedule}) and the ramp to each step. Masking,
 * the plan and the ramp are plain Java; the optimizer and clipping work on DJL arrays on the single DJL thread, outside
 * autograd. Its settings come from {@code dev.cramjet.config.TrainConfig}; the config package never depends on this
 * one.
 */
package dev.cramjet.train;
