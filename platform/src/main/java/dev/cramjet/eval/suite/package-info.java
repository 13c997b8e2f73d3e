/**
 * The offline stand-in task suite: four small labelled tasks built from corpora these machines can fetch (IMDB
 * reviews and the Brown corpus), written in GLUE's file formats with a {@code task.json} each, so that the GLUE reader,
 * fine-tuning and report run on them unchanged. It is a stand-in for a smoke test of downstream transfer, never GLUE,
 * and its numbers are not comparable with GLUE scores. The demo's default pretraining corpus (Gutenberg and State of
 * the Union) contains neither IMDB nor Brown, so no evaluation text is seen in pretraining.
 */
package dev.cramjet.eval.suite;
