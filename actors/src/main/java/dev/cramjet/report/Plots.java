package dev.cramjet.report;

import com.fasterxml.jackson.databind.JsonNode;
import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.knowm.xchart.BitmapEncoder;
import org.knowm.xchart.CategoryChart;
import org.knowm.xchart.CategoryChartBuilder;
import org.knowm.xchart.XYChart;
import org.knowm.xchart.XYChartBuilder;
import org.knowm.xchart.style.Styler;
import org.knowm.xchart.style.markers.SeriesMarkers;

/** PNG plots of a run, drawn with XChart (headless). */
public final class Plots {
  private static final int WIDTH = 800;
  private static final int HEIGHT = 420;

  static {
    System.setProperty("java.awt.headless", "true");
  }

  private Plots() {}

  /**
   * One line plot of {@code field} against training time from {@code metrics.jsonl} rows, written to {@code file}.
   * Rows without a finite value for the field are left out.
   */
  public static void line(List<JsonNode> rows, String field, String title, String yLabel, Path file)
      throws IOException {
    List<Double> x = new ArrayList<>();
    List<Double> y = new ArrayList<>();
    for (JsonNode r : rows) {
      JsonNode v = r.get(field);
      if (v != null && v.isNumber() && Double.isFinite(v.asDouble())) {
        x.add(r.get("elapsed_seconds").asDouble() / 60);
        y.add(v.asDouble());
      }
    }
    if (x.isEmpty()) {
      x.add(0.0);
      y.add(0.0);
    }
    XYChart chart = new XYChartBuilder().width(WIDTH).height(HEIGHT).title(title).xAxisTitle("training minutes")
        .yAxisTitle(yLabel).build();
    chart.getStyler().setLegendVisible(false);
    chart.getStyler().setChartBackgroundColor(java.awt.Color.WHITE);
    chart.getStyler().setPlotGridLinesVisible(true);
    double max = y.stream().mapToDouble(Math::abs).max().orElse(0);
    chart.getStyler().setYAxisDecimalPattern(max != 0 && max < 0.01 ? "0.0E0" : "#,##0.###");
    // A short run has few logged steps: show them as points, not only as a line.
    chart.addSeries(title, x, y).setMarker(x.size() < 40 ? SeriesMarkers.CIRCLE : SeriesMarkers.NONE);
    BitmapEncoder.saveBitmap(chart, stripPng(file), BitmapEncoder.BitmapFormat.PNG);
  }

  /**
   * A grouped bar chart: one group per category (e.g. task), one bar per series (e.g. model), values in
   * {@code series} given in category order; NaN values are drawn as 0.
   */
  public static void bars(List<String> categories, Map<String, List<Double>> series, String title, String yLabel,
      Path file) throws IOException {
    CategoryChart chart = new CategoryChartBuilder().width(WIDTH).height(HEIGHT).title(title).yAxisTitle(yLabel)
        .build();
    chart.getStyler().setLegendPosition(Styler.LegendPosition.InsideNW);
    chart.getStyler().setChartBackgroundColor(java.awt.Color.WHITE);
    for (Map.Entry<String, List<Double>> e : series.entrySet()) {
      chart.addSeries(e.getKey(), categories,
          e.getValue().stream().map(v -> Double.isFinite(v) ? v : 0.0).toList());
    }
    BitmapEncoder.saveBitmap(chart, stripPng(file), BitmapEncoder.BitmapFormat.PNG);
  }

  /** The rows of a run's {@code metrics.jsonl}; a missing file has none. */
  public static List<JsonNode> readLog(Path file) throws IOException {
    List<JsonNode> out = new ArrayList<>();
    if (!java.nio.file.Files.isRegularFile(file)) {
      return out;
    }
    com.fasterxml.jackson.databind.ObjectMapper m = new com.fasterxml.jackson.databind.ObjectMapper();
    for (String line : java.nio.file.Files.readAllLines(file)) {
      if (!line.isBlank()) {
        out.add(m.readTree(line));
      }
    }
    return out;
  }

  /**
   * Several runs in one line plot: {@code yField} against {@code xField} of each run's {@code metrics.jsonl} rows,
   * one series per run (legend = the map's keys), x divided by {@code xScale}.
   */
  public static void lines(Map<String, List<JsonNode>> runs, String xField, double xScale, String yField, String title,
      String xLabel, String yLabel, Path file) throws IOException {
    XYChart chart = new XYChartBuilder().width(WIDTH).height(HEIGHT).title(title).xAxisTitle(xLabel)
        .yAxisTitle(yLabel).build();
    chart.getStyler().setChartBackgroundColor(java.awt.Color.WHITE);
    chart.getStyler().setPlotGridLinesVisible(true);
    chart.getStyler().setLegendPosition(Styler.LegendPosition.InsideNE);
    boolean any = false;
    for (Map.Entry<String, List<JsonNode>> e : runs.entrySet()) {
      List<Double> x = new ArrayList<>();
      List<Double> y = new ArrayList<>();
      for (JsonNode r : e.getValue()) {
        JsonNode xv = r.get(xField);
        JsonNode yv = r.get(yField);
        if (xv != null && yv != null && xv.isNumber() && yv.isNumber() && Double.isFinite(yv.asDouble())) {
          x.add(xv.asDouble() / xScale);
          y.add(yv.asDouble());
        }
      }
      if (!x.isEmpty()) {
        chart.addSeries(e.getKey(), x, y).setMarker(x.size() < 40 ? SeriesMarkers.CIRCLE : SeriesMarkers.NONE);
        any = true;
      }
    }
    if (!any) {
      chart.addSeries("no data", List.of(0.0), List.of(0.0));
    }
    BitmapEncoder.saveBitmap(chart, stripPng(file), BitmapEncoder.BitmapFormat.PNG);
  }

  /** XChart appends the extension itself. */
  private static String stripPng(Path file) {
    String s = file.toString();
    return s.endsWith(".png") ? s.substring(0, s.length() - 4) : s;
  }
}
