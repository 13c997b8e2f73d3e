/**
 * The training core below the train-step loop: MLM masking of token rows ({@link dev.cramjet.train.MlmMasker}),
 * the project's AdamW with name-keyed, saveable state and an explicit weight-decay rule ({@link
 * dev.cramjet.train.AdamW}), global-norm gradient clipping ({@link dev.cramjet.train.GradClip}), the budget-driven
 * learning-rate schedules ({@link dev.cramjet.train.LrSchedule}) and the batch-size ramp in whole micro-batches
 * ({@link dev.cramjet.train.BatchRamp}). Masking, schedules and the ramp are plain Java; the optimizer and clipping
 * work on DJL arrays on the single DJL thread, outside autograd.
 */
package dev.cramjet.train;
