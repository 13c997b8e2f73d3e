/**
 * The crammed BERT itself: {@link dev.cramjet.model.ArchConfig} with every architectural switch of the paper's
 * ablations, the layers as plain DJL arithmetic on named parameters ({@link dev.cramjet.model.Params}, whose stable
 * hierarchical names checkpoints, export and the optimizer are keyed by) and the forward pass of {@link
 * dev.cramjet.model.CrammedBert}, which DJL's autograd differentiates. It runs on the caller's single DJL thread. It
 * depends on DJL and on {@code dev.cramjet.text} only for the special-token ids; it must not depend on training,
 * checkpoints, configs or actors, which drive it.
 */
package dev.cramjet.model;
