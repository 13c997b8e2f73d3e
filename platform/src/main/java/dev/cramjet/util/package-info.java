/**
 * Small helpers that every other package may use: crash-safe file writes ({@link dev.cramjet.util.AtomicFiles}),
 * SHA-256 ({@link dev.cramjet.util.Hashing}), the git commit of the running code ({@link dev.cramjet.util.Provenance}),
 * a splittable random generator ({@link dev.cramjet.util.SplitMix64}) and the {@link
 * dev.cramjet.util.BadInputException} for input the user has to fix. It depends on nothing else in Cramjet and on no
 * library beyond the JDK, and must stay that way.
 */
package dev.cramjet.util;
