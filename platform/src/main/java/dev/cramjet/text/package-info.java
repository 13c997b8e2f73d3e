/**
 * Text to token ids: the normaliser and pre-tokenizer of the recipe (quote unification, NFD, lowercase, strip
 * accents, drop non-ASCII, split on whitespace and punctuation), a greedy longest-match WordPiece encoder, a
 * WordPiece trainer that counts words in bounded memory, and the vocabulary files ({@code vocab.txt} plus a Hugging
 * Face {@code tokenizer.json} that reproduces the encoder's ids exactly). Nothing here knows about shards, models or
 * actors; the data pipeline sees only {@link dev.cramjet.text.TextEncoder}.
 */
package dev.cramjet.text;
