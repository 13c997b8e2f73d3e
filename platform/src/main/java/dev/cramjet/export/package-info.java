/**
 * Export of a trained model for use elsewhere: a folder with the weights in safetensors ({@code model.safetensors},
 * the parameter names of {@link dev.cramjet.model.Params}), a Hugging Face-like {@code config.json} that also carries
 * Cramjet's full architecture record, and the tokenizer files ({@code vocab.txt}, {@code tokenizer.json}). It copies
 * what a checkpoint holds and converts nothing: no renaming to Hugging Face BERT names and no PyTorch code, since the
 * crammed architecture (GLU, pre-norm, scaled sinusoidal positions) has no stock Hugging Face class.
 */
package dev.cramjet.export;
