/**
 * Downstream evaluation of a pretrained model. GLUE: readers for the official folder layout and TSV files ({@link
 * dev.cramjet.eval.TsvReader}, {@link dev.cramjet.eval.GlueTasks}), the metrics ({@link dev.cramjet.eval.Metrics}),
 * the fine-tuning protocol ({@link dev.cramjet.eval.FineTuner} with a fresh {@link
 * dev.cramjet.eval.ClassificationHead} per task, presets in {@code configs/eval/}) and the report with seed medians
 * and averages ({@link dev.cramjet.eval.GlueReport}; with a training step and its held-out MLM score, {@link
 * dev.cramjet.eval.EvaluationReport}). The same path runs the offline stand-in suite, whose tasks are
 * written in GLUE's formats by {@code dev.cramjet.eval.suite}. Besides fine-tuning: held-out MLM loss and accuracy
 * ({@link dev.cramjet.eval.MlmEvaluator}) and fill-mask ({@link dev.cramjet.eval.FillMask}). Everything here runs on
 * the caller's thread, which must be the one DJL thread; nothing here knows about actors.
 */
package dev.cramjet.eval;
