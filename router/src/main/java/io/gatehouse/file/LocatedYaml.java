package io.gatehouse.file;

import com.fasterxml.jackson.core.JsonLocation;
import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.core.JsonToken;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.fasterxml.jackson.dataformat.yaml.YAMLFactory;
import java.io.IOException;
import java.util.HashMap;
import java.util.Map;
import org.jspecify.annotations.Nullable;
import org.yaml.snakeyaml.LoaderOptions;
import org.yaml.snakeyaml.error.MarkedYAMLException;

/**
 * Reads one YAML document into a Jackson tree and remembers the line each key and list item starts
 * on, so that errors found later can point into the file. Paths look like {@code
 * routes[3].paths[0].value}. Duplicate keys and a second document are syntax errors.
 */
public final class LocatedYaml {
  /** The largest document read; bigger input is refused before parsing. */
  public static final int MAX_CHARS = 16 * 1024 * 1024;

  private static final YAMLFactory FACTORY = factory();
  private static final JsonNodeFactory NODES = JsonNodeFactory.instance;

  private LocatedYaml() {}

  /**
   * A parsed document.
   *
   * @param root the document's root; a {@code NullNode} for an empty document
   * @param lines 1-based line of each path
   */
  public record Document(JsonNode root, Map<String, Integer> lines) {
    public Document {
      lines = Map.copyOf(lines);
    }

    /** The line of {@code path}, else of its nearest ancestor that has one; 0 when unknown. */
    public int lineOf(String path) {
      String p = path;
      while (true) {
        Integer line = lines.get(p);
        if (line != null) {
          return line;
        }
        int cut = Math.max(p.lastIndexOf('.'), p.lastIndexOf('['));
        if (cut <= 0) {
          return p.isEmpty() ? 0 : lines.getOrDefault("", 0);
        }
        p = p.substring(0, cut);
      }
    }
  }

  /** The document is not valid YAML, or not one we read. */
  public static final class SyntaxException extends Exception {
    private static final long serialVersionUID = 1L;
    private final int line;
    private final int column;

    SyntaxException(String message, int line, int column) {
      super(message);
      this.line = line;
      this.column = column;
    }

    /** 1-based, 0 when unknown. */
    public int line() {
      return line;
    }

    /** 1-based, 0 when unknown. */
    public int column() {
      return column;
    }
  }

  public static Document parse(String text) throws SyntaxException {
    if (text.length() > MAX_CHARS) {
      throw new SyntaxException(
          "document of " + text.length() + " characters (expected: at most 16 MiB)", 0, 0);
    }
    Map<String, Integer> lines = new HashMap<>();
    try (JsonParser p = FACTORY.createParser(text)) {
      JsonToken first = p.nextToken();
      if (first == null) {
        return new Document(NODES.nullNode(), lines);
      }
      lines.put("", line(p.currentTokenLocation()));
      JsonNode root = read(p, "", lines);
      if (p.nextToken() != null) {
        throw syntax("a single YAML document (found a second one)", p.currentTokenLocation());
      }
      return new Document(root, lines);
    } catch (JsonProcessingException e) {
      if (e.getCause() instanceof MarkedYAMLException m && m.getProblemMark() != null) {
        String context =
            m.getContext() == null || m.getContextMark() == null
                ? ""
                : " (" + m.getContext() + " at line " + (m.getContextMark().getLine() + 1) + ")";
        throw new SyntaxException(
            firstLine(m.getProblem()) + context,
            m.getProblemMark().getLine() + 1,
            m.getProblemMark().getColumn() + 1);
      }
      throw syntax(firstLine(e.getOriginalMessage()), e.getLocation());
    } catch (IOException e) {
      throw new SyntaxException(String.valueOf(e.getMessage()), 0, 0);
    }
  }

  private static JsonNode read(JsonParser p, String path, Map<String, Integer> lines)
      throws IOException, SyntaxException {
    JsonToken t = p.currentToken();
    switch (t) {
      case START_OBJECT -> {
        ObjectNode obj = NODES.objectNode();
        while (p.nextToken() == JsonToken.FIELD_NAME) {
          String name = p.currentName();
          JsonLocation at = p.currentTokenLocation();
          String child = path.isEmpty() ? name : path + "." + name;
          if (obj.has(name)) {
            throw syntax("duplicate key \"" + name + "\"", at);
          }
          p.nextToken();
          lines.put(child, line(at));
          obj.set(name, read(p, child, lines));
        }
        return obj;
      }
      case START_ARRAY -> {
        ArrayNode arr = NODES.arrayNode();
        int i = 0;
        while (p.nextToken() != JsonToken.END_ARRAY) {
          String child = path + "[" + i + "]";
          lines.put(child, line(p.currentTokenLocation()));
          arr.add(read(p, child, lines));
          i++;
        }
        return arr;
      }
      case VALUE_STRING -> {
        return NODES.textNode(p.getText());
      }
      case VALUE_NUMBER_INT -> {
        return switch (p.getNumberType()) {
          case INT -> NODES.numberNode(p.getIntValue());
          case LONG -> NODES.numberNode(p.getLongValue());
          default -> NODES.numberNode(p.getBigIntegerValue());
        };
      }
      case VALUE_NUMBER_FLOAT -> {
        return NODES.numberNode(p.getDoubleValue());
      }
      case VALUE_TRUE, VALUE_FALSE -> {
        return NODES.booleanNode(t == JsonToken.VALUE_TRUE);
      }
      case VALUE_NULL -> {
        return NODES.nullNode();
      }
      default -> {
        return NODES.textNode(p.getText());
      }
    }
  }

  private static SyntaxException syntax(String message, @Nullable JsonLocation at) {
    return at == null
        ? new SyntaxException(message, 0, 0)
        : new SyntaxException(message, Math.max(0, at.getLineNr()), Math.max(0, at.getColumnNr()));
  }

  private static int line(@Nullable JsonLocation at) {
    return at == null ? 0 : Math.max(0, at.getLineNr());
  }

  private static String firstLine(@Nullable String message) {
    if (message == null) {
      return "invalid YAML";
    }
    String m = message.strip();
    int nl = m.indexOf('\n');
    return nl < 0 ? m : m.substring(0, nl).strip();
  }

  private static YAMLFactory factory() {
    LoaderOptions options = new LoaderOptions();
    options.setCodePointLimit(MAX_CHARS + 1);
    options.setAllowDuplicateKeys(true); // reported by read() with the key's line
    return YAMLFactory.builder().loaderOptions(options).build();
  }
}
