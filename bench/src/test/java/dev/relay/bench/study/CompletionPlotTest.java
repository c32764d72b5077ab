package dev.relay.bench.study;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.ByteArrayInputStream;
import java.nio.charset.StandardCharsets;
import java.util.EnumMap;
import java.util.List;
import java.util.Map;
import javax.xml.parsers.DocumentBuilderFactory;
import org.junit.jupiter.api.Test;
import org.w3c.dom.Document;
import org.w3c.dom.Element;
import org.w3c.dom.NodeList;

class CompletionPlotTest {

  @Test
  void drawsOneLinePerModeAndPanelWithItsPointsInsideThePlot() throws Exception {
    Map<Scenario, Map<RoutingMode, double[]>> series = new EnumMap<>(Scenario.class);
    for (Scenario scenario : Scenario.values()) {
      Map<RoutingMode, double[]> lines = new EnumMap<>(RoutingMode.class);
      lines.put(RoutingMode.STATIC, new double[] {1.0, 0.5, Double.NaN, 0.75});
      lines.put(RoutingMode.SCORED, new double[] {1.0, 1.0, 1.0, 1.0});
      series.put(scenario, lines);
    }

    String svg = CompletionPlot.svg(series, List.of(RoutingMode.STATIC, RoutingMode.SCORED), 10, 10, 30, "a <title>");

    Document document = DocumentBuilderFactory.newInstance().newDocumentBuilder()
        .parse(new ByteArrayInputStream(svg.getBytes(StandardCharsets.UTF_8)));
    NodeList lines = document.getElementsByTagName("polyline");
    assertThat(lines.getLength()).isEqualTo(2 * Scenario.values().length);
    // The empty bucket leaves its point out: three points on (a), four on (c).
    Element first = (Element) lines.item(0);
    assertThat(first.getAttribute("points").split(" ")).hasSize(3);
    assertThat(((Element) lines.item(1)).getAttribute("points").split(" ")).hasSize(4);
    // 100 % sits on the plot's top edge, 50 % halfway down.
    String[] points = first.getAttribute("points").split(" ");
    double top = Double.parseDouble(points[0].split(",")[1]);
    double half = Double.parseDouble(points[1].split(",")[1]);
    assertThat(half - top).isEqualTo(85.0);
    assertThat(svg).contains("a &lt;title&gt;");
  }
}
