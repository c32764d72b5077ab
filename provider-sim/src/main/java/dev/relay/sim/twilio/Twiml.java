package dev.relay.sim.twilio;

import java.io.IOException;
import java.io.StringReader;
import java.util.ArrayList;
import java.util.List;
import javax.xml.XMLConstants;
import javax.xml.parsers.DocumentBuilder;
import javax.xml.parsers.DocumentBuilderFactory;
import javax.xml.parsers.ParserConfigurationException;
import org.w3c.dom.Document;
import org.w3c.dom.NodeList;
import org.xml.sax.InputSource;
import org.xml.sax.SAXException;
import org.xml.sax.helpers.DefaultHandler;

/**
 * What a callee hears from a TwiML document: the text of its {@code <Say>} verbs, in order. The
 * parser refuses DOCTYPEs and external entities; TwiML needs neither.
 */
final class Twiml {

  private Twiml() {}

  /**
   * @throws IllegalArgumentException when the document is not XML with a {@code <Response>} root
   *     (Twilio's 12100 "Document parse failure")
   */
  static String spokenText(String twiml) {
    Document document = parse(twiml);
    if (!"Response".equals(document.getDocumentElement().getTagName())) {
      throw new IllegalArgumentException("the root element is not <Response>");
    }
    NodeList says = document.getElementsByTagName("Say");
    List<String> spoken = new ArrayList<>();
    for (int i = 0; i < says.getLength(); i++) {
      String text = says.item(i).getTextContent().strip();
      if (!text.isEmpty()) {
        spoken.add(text);
      }
    }
    return String.join(" ", spoken);
  }

  private static Document parse(String twiml) {
    try {
      DocumentBuilderFactory factory = DocumentBuilderFactory.newInstance();
      factory.setFeature("http://apache.org/xml/features/disallow-doctype-decl", true);
      factory.setFeature(XMLConstants.FEATURE_SECURE_PROCESSING, true);
      factory.setXIncludeAware(false);
      factory.setExpandEntityReferences(false);
      DocumentBuilder builder = factory.newDocumentBuilder();
      // Without a handler the parser prints every fatal error to stderr before throwing it.
      builder.setErrorHandler(new DefaultHandler());
      return builder.parse(new InputSource(new StringReader(twiml)));
    } catch (ParserConfigurationException e) {
      throw new IllegalStateException("the JDK's XML parser lacks a standard feature", e);
    } catch (SAXException | IOException e) {
      throw new IllegalArgumentException("not a TwiML document: " + e.getMessage());
    }
  }
}
