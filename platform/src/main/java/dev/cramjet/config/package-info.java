/**
 * Run configuration: the HOCON presets under {@code configs/} ({@link dev.cramjet.config.Presets}), the {@link
 * dev.cramjet.config.ConfigBinder} that binds a section onto a record by kebab-case key, with errors that name the
 * file, line and key, and the records it fills: the whole {@link dev.cramjet.config.RunConfig} (its rendering and hash
 * go into the run folder and checkpoints) and the training recipe {@link dev.cramjet.config.TrainConfig}, whose
 * budget, checkpoint period and schedule are bound once into typed values. It depends only on {@code budget}, {@code
 * model} (for {@code ArchConfig}) and {@code util}; it must not depend on {@code train}, data or actors, which read
 * their settings from here.
 */
package dev.cramjet.config;
