package io.gatehouse.ctl;

import com.fasterxml.jackson.core.JsonLocation;
import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.MappingIterator;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.fasterxml.jackson.dataformat.yaml.YAMLFactory;
import com.fasterxml.jackson.dataformat.yaml.YAMLGenerator;
import com.fasterxml.jackson.dataformat.yaml.YAMLMapper;
import com.fasterxml.jackson.dataformat.yaml.util.StringQuotingChecker;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import java.util.regex.Pattern;
import org.jspecify.annotations.Nullable;

/**
 * What {@code -f} reads and what {@code -o} writes. Input is YAML or JSON (JSON is YAML): one
 * object, a stream of {@code ---} documents, a JSON array, or a list object with {@code items};
 * each object names its {@code kind}. Output of a read is the API's answer plus {@code kind}, so it
 * can be applied back.
 */
final class Documents {
  /**
   * Strings YAML 1.1 would read as a number if left plain: {@code 1e3}, {@code .5}, {@code 0x1f}.
   */
  private static final Pattern NUMBER_LIKE =
      Pattern.compile(
          "[-+]?(\\.[0-9]+|[0-9][0-9_]*(\\.[0-9_]*)?)([eE][-+]?[0-9]+)?"
              + "|[-+]?0[xXoObB][0-9a-fA-F_]+|[-+]?\\.(inf|Inf|INF)|\\.(nan|NaN|NAN)"
              + "|[-+]?[0-9][0-9_]*(:[0-5]?[0-9])+(\\.[0-9_]*)?");

  /** Minimal quotes, but never a string that would read back as another type. */
  private static final StringQuotingChecker QUOTES =
      new StringQuotingChecker.Default() {
        private static final long serialVersionUID = 1L;

        @Override
        public boolean needToQuoteValue(String value) {
          return super.needToQuoteValue(value) || NUMBER_LIKE.matcher(value).matches();
        }
      };

  static final YAMLMapper YAML =
      YAMLMapper.builder(YAMLFactory.builder().stringQuotingChecker(QUOTES).build())
          .disable(YAMLGenerator.Feature.WRITE_DOC_START_MARKER)
          .enable(YAMLGenerator.Feature.MINIMIZE_QUOTES)
          .enable(YAMLGenerator.Feature.INDENT_ARRAYS_WITH_INDICATOR)
          .build();

  static final ObjectMapper JSON = new ObjectMapper().enable(SerializationFeature.INDENT_OUTPUT);

  /** Fields the API answers that no write accepts back. */
  private static final List<String> READ_ONLY = List.of("kind", "revision", "source");

  /** Names the write-only secrets: never printed, even if an answer carried one. */
  private static final List<String> SECRETS = List.of("privateKeyPem", "privateKey");

  private Documents() {}

  /**
   * One object to apply or delete: its kind, the object, where it came from ({@code file: document
   * 2}) and the directory its relative {@code certFile}/{@code keyFile} are read from.
   */
  record Doc(Kind kind, ObjectNode node, String where, Path dir) {
    String name() {
      return node.path(kind.nameField()).asText("");
    }
  }

  /** Reads {@code source} ({@code -} is stdin). Bad input is a usage error naming the line. */
  static List<Doc> read(String source, InputStream stdin) throws CtlException {
    String text;
    Path dir;
    try {
      if (source.equals("-")) {
        text = new String(stdin.readAllBytes(), StandardCharsets.UTF_8);
        dir = Path.of("").toAbsolutePath();
      } else {
        Path p = Path.of(source);
        text = Files.readString(p);
        Path parent = p.toAbsolutePath().getParent();
        dir = parent == null ? Path.of("").toAbsolutePath() : parent;
      }
    } catch (IOException e) {
      throw CtlException.usage("cannot read " + source + ": " + e);
    }
    String name = source.equals("-") ? "stdin" : source;
    List<Doc> docs = new ArrayList<>();
    try (JsonParser parser = YAML.getFactory().createParser(text);
        MappingIterator<JsonNode> it = YAML.readValues(parser, JsonNode.class)) {
      int n = 0;
      while (it.hasNextValue()) {
        JsonNode node = it.nextValue();
        n++;
        if (node == null || node.isNull() || node.isMissingNode()) {
          continue;
        }
        String where = name + ": document " + n;
        Iterator<JsonNode> items = itemsOf(node);
        int i = 0;
        while (items.hasNext()) {
          JsonNode item = items.next();
          String at = node == item ? where : where + ", item " + i;
          docs.add(doc(item, at, dir));
          i++;
        }
      }
    } catch (JsonProcessingException e) {
      JsonLocation at = e.getLocation();
      throw CtlException.usage(
          name
              + (at == null ? "" : ":" + at.getLineNr())
              + ": not YAML or JSON: "
              + oneLine(e.getOriginalMessage()));
    } catch (IOException e) {
      throw CtlException.usage("cannot read " + name + ": " + e.getMessage());
    }
    if (docs.isEmpty()) {
      throw CtlException.usage(name + ": no objects to apply");
    }
    return docs;
  }

  /** SnakeYAML's message without its excerpt lines: "while parsing...; expected ...". */
  private static String oneLine(String message) {
    List<String> parts = new ArrayList<>();
    for (String line : message.split("\n")) {
      if (!line.isBlank() && !line.startsWith(" ")) {
        parts.add(line.trim());
      }
    }
    return String.join("; ", parts);
  }

  private static Iterator<JsonNode> itemsOf(JsonNode node) {
    if (node.isArray()) {
      return node.elements();
    }
    if (!node.has("kind") && node.path("items").isArray()) {
      return node.path("items").elements();
    }
    return List.of(node).iterator();
  }

  private static Doc doc(JsonNode item, String where, Path dir) throws CtlException {
    if (!(item instanceof ObjectNode o)) {
      throw CtlException.usage(where + ": expected an object with a kind");
    }
    String kindText = o.path("kind").asText("");
    if (kindText.isEmpty()) {
      throw CtlException.usage(where + ": kind is missing (expected one of " + Kind.known() + ")");
    }
    Kind kind = Kind.parse(kindText);
    if (kind == null) {
      throw CtlException.usage(
          where + ": kind: \"" + kindText + "\" (expected one of " + Kind.known() + ")");
    }
    Doc d = new Doc(kind, o, where, dir);
    if (kind != Kind.TOKEN && d.name().isEmpty()) {
      throw CtlException.usage(where + ": " + kind.nameField() + " is missing");
    }
    return d;
  }

  /** {@code item} with {@code kind} first, and without any secret. */
  static ObjectNode labelled(Kind kind, JsonNode item) {
    ObjectNode out = YAML.createObjectNode();
    out.put("kind", kind.singular());
    if (item instanceof ObjectNode o) {
      for (Iterator<Map.Entry<String, JsonNode>> it = o.fields(); it.hasNext(); ) {
        Map.Entry<String, JsonNode> e = it.next();
        if (!e.getKey().equals("kind")) {
          out.set(e.getKey(), e.getValue().deepCopy());
        }
      }
    }
    scrub(out);
    return out;
  }

  /**
   * Removes write-only secrets at any depth (the API never answers them; this is a second lock).
   */
  static void scrub(JsonNode node) {
    if (node instanceof ObjectNode o) {
      o.remove(SECRETS);
    }
    for (JsonNode child : node) {
      scrub(child);
    }
  }

  /** The body a write sends: the document without {@code kind} and the read-only fields. */
  static ObjectNode body(ObjectNode doc) {
    ObjectNode b = doc.deepCopy();
    b.remove(READ_ONLY);
    return b;
  }

  /** {@code value} as YAML or pretty JSON text, ending with a newline. */
  static String write(JsonNode value, String format) {
    try {
      String s =
          format.equals("json")
              ? JSON.writeValueAsString(value) + "\n"
              : YAML.writeValueAsString(value);
      return s.endsWith("\n") ? s : s + "\n";
    } catch (JsonProcessingException e) {
      throw new IllegalStateException(e);
    }
  }

  static @Nullable JsonNode parse(String body) {
    if (body.isBlank()) {
      return null;
    }
    try {
      return JSON.readTree(body);
    } catch (JsonProcessingException e) {
      return null;
    }
  }
}
