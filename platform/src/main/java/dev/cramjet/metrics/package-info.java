/**
 * Prometheus metrics for a run: {@link dev.cramjet.metrics.CramjetMetrics} defines every {@code cramjet_} metric once
 * (name, help, unit, labels) on its own registry together with the JVM and native-memory metrics, and offers plain
 * methods that the training loop and the actor runtime call to record what they know. Training gauges are callbacks
 * that read a volatile {@link dev.cramjet.metrics.TrainingSnapshot} published after each logged step, so a scrape never
 * touches an NDArray or the trainer thread. {@link dev.cramjet.metrics.TrainingMetricsListener} feeds them from a
 * foreground {@link dev.cramjet.train.PretrainRun}; {@link dev.cramjet.metrics.MetricsText} renders the text
 * exposition format for any HTTP layer. Nothing here serves HTTP: the actors module's {@code
 * dev.cramjet.actors.control.MetricsServer} does that for the foreground CLI, and the daemon serves {@code /metrics}
 * through its own routes.
 */
package dev.cramjet.metrics;
