/**
 * Human-readable run reports: a small document model rendered both as Markdown ({@code report.md}) and as a
 * self-contained HTML page ({@code report.html}), and the PNG plots they show, drawn with XChart from a run's
 * {@code metrics.jsonl}.
 */
package dev.cramjet.report;
