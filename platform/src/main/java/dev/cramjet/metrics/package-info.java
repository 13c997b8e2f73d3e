/**
 * Prometheus metrics for a run: {@link dev.cramjet.metrics.CramjetMetrics} defines every {@code cramjet_} metric once
 * (name, help, unit, labels) on its own registry together with the JVM and native-memory metrics. It is a
 * {@link dev.cramjet.train.StepListener}: both training loops hand it each step's {@link dev.cramjet.train.StepRecord},
 * and its training gauges are callbacks that read the latest record, so a scrape never touches an NDArray or the
 * trainer thread. The actor runtime records the data pipeline, pauses and evaluations through plain methods.
 * {@link dev.cramjet.metrics.MetricsText} renders the text exposition format for any HTTP layer; nothing here serves
 * HTTP: the actors module's {@code dev.cramjet.actors.control.MetricsServer} does that for the foreground CLI, and the
 * daemon serves {@code /metrics} through its own routes.
 */
package dev.cramjet.metrics;
