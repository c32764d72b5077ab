package dev.relay.bench.study;

import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * Completion over time as an SVG written by hand (no plotting library needed): one panel per
 * scenario, time since the first start on x, completion of the verifications started in each
 * bucket on y, the fault phase shaded, one line per routing mode.
 */
final class CompletionPlot {

  private static final int PANEL_W = 440;
  private static final int PANEL_H = 250;
  private static final int LEFT = 50;
  private static final int TOP = 34;
  private static final int PLOT_W = 370;
  private static final int PLOT_H = 170;
  private static final Map<RoutingMode, String> COLOURS = Map.of(
      RoutingMode.STATIC, "#1f77b4", RoutingMode.TABLE, "#2ca02c", RoutingMode.SCORED, "#d62728");

  private CompletionPlot() {}

  /**
   * @param series per scenario and mode, the completion of each bucket (NaN: no verification started in it)
   * @param bucketSeconds width of a bucket
   * @param faultFrom start of the fault phase, seconds since the first start
   * @param faultTo its end
   */
  static String svg(Map<Scenario, Map<RoutingMode, double[]>> series, List<RoutingMode> modes, double bucketSeconds,
      double faultFrom, double faultTo, String title) {
    Scenario[] scenarios = Scenario.values();
    int columns = 2;
    int rows = (scenarios.length + columns - 1) / columns;
    int width = PANEL_W * columns;
    int height = PANEL_H * rows + 60;
    StringBuilder svg = new StringBuilder();
    svg.append(String.format(Locale.ROOT, "<svg xmlns=\"http://www.w3.org/2000/svg\" width=\"%d\" height=\"%d\" "
        + "viewBox=\"0 0 %d %d\" font-family=\"sans-serif\" font-size=\"11\">%n", width, height, width, height));
    svg.append(String.format(Locale.ROOT, "<rect width=\"%d\" height=\"%d\" fill=\"white\"/>%n", width, height));
    svg.append(String.format(Locale.ROOT, "<text x=\"%d\" y=\"18\" font-size=\"14\" text-anchor=\"middle\">%s</text>%n",
        width / 2, escape(title)));
    int legendX = 20;
    for (RoutingMode mode : modes) {
      svg.append(String.format(Locale.ROOT, "<line x1=\"%d\" y1=\"%d\" x2=\"%d\" y2=\"%d\" stroke=\"%s\" %s/>"
          + "<text x=\"%d\" y=\"%d\">(%s) %s</text>%n", legendX, height - 22, legendX + 24, height - 22, COLOURS.get(mode),
          mode == modes.get(0) ? "stroke-width=\"5\" stroke-opacity=\"0.45\"" : "stroke-width=\"2\"",
          legendX + 30, height - 18, mode.letter, escape(mode.label)));
      legendX += 320;
    }
    svg.append(String.format(Locale.ROOT, "<text x=\"%d\" y=\"%d\" fill=\"#666\">shaded: fault phase</text>%n",
        width - 130, height - 4));
    for (int s = 0; s < scenarios.length; s++) {
      Scenario scenario = scenarios[s];
      Map<RoutingMode, double[]> lines = series.getOrDefault(scenario, Map.of());
      int buckets = lines.values().stream().mapToInt(values -> values.length).max().orElse(1);
      double seconds = buckets * bucketSeconds;
      int x0 = (s % columns) * PANEL_W + LEFT;
      int y0 = 24 + (s / columns) * PANEL_H + TOP;
      svg.append(String.format(Locale.ROOT, "<text x=\"%d\" y=\"%d\" font-size=\"12\">%s: %s %s</text>%n", x0, y0 - 10,
          scenario.country, scenario.provider, escape(shortly(scenario))));
      svg.append(String.format(Locale.ROOT, "<rect x=\"%.1f\" y=\"%d\" width=\"%.1f\" height=\"%d\" fill=\"#f3e0c0\"/>%n",
          x0 + PLOT_W * faultFrom / seconds, y0, PLOT_W * (Math.min(faultTo, seconds) - faultFrom) / seconds, PLOT_H));
      for (int pct = 0; pct <= 100; pct += 25) {
        double y = y0 + PLOT_H * (1 - pct / 100.0);
        svg.append(String.format(Locale.ROOT, "<line x1=\"%d\" y1=\"%.1f\" x2=\"%d\" y2=\"%.1f\" stroke=\"#ddd\"/>"
            + "<text x=\"%d\" y=\"%.1f\" text-anchor=\"end\">%d%%</text>%n", x0, y, x0 + PLOT_W, y, x0 - 4, y + 4, pct));
      }
      for (int t = 0; t <= seconds; t += 30) {
        double x = x0 + PLOT_W * t / seconds;
        svg.append(String.format(Locale.ROOT, "<line x1=\"%.1f\" y1=\"%d\" x2=\"%.1f\" y2=\"%d\" stroke=\"#999\"/>"
            + "<text x=\"%.1f\" y=\"%d\" text-anchor=\"middle\">%ds</text>%n", x, y0 + PLOT_H, x, y0 + PLOT_H + 4, x,
            y0 + PLOT_H + 16, t));
      }
      svg.append(String.format(Locale.ROOT, "<rect x=\"%d\" y=\"%d\" width=\"%d\" height=\"%d\" fill=\"none\" stroke=\"#333\"/>%n",
          x0, y0, PLOT_W, PLOT_H));
      for (RoutingMode mode : modes) {
        double[] values = lines.get(mode);
        if (values == null) {
          continue;
        }
        StringBuilder points = new StringBuilder();
        for (int i = 0; i < values.length; i++) {
          if (Double.isNaN(values[i])) {
            continue;
          }
          double x = x0 + PLOT_W * ((i + 0.5) * bucketSeconds) / seconds;
          double y = y0 + PLOT_H * (1 - values[i]);
          points.append(String.format(Locale.ROOT, "%.1f,%.1f ", x, y));
        }
        // The first mode is drawn wide and pale underneath, so it still shows where a later one runs on top of it.
        String style = mode == modes.get(0) ? "stroke-width=\"5\" stroke-opacity=\"0.45\"" : "stroke-width=\"2\"";
        svg.append(String.format(Locale.ROOT, "<polyline fill=\"none\" stroke=\"%s\" %s points=\"%s\"/>%n",
            COLOURS.get(mode), style, points.toString().trim()));
      }
    }
    svg.append("</svg>\n");
    return svg.toString();
  }

  private static String shortly(Scenario scenario) {
    return switch (scenario) {
      case DROP_HALF -> "drops 50 %";
      case DOWN -> "rejects all";
      case RECEIPTS_LOST -> "loses all receipts";
      case PRICE_CHANGE -> "price 0.035 -> 0.110";
      case RECOVERY -> "loses all, then recovers";
    };
  }

  private static String escape(String text) {
    return text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;");
  }
}
