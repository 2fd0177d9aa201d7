package io.gatehouse.table.codec;

import com.fasterxml.jackson.core.JsonGenerator;
import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.DeserializationContext;
import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.JsonDeserializer;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.JsonSerializer;
import com.fasterxml.jackson.databind.MapperFeature;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializerProvider;
import com.fasterxml.jackson.databind.json.JsonMapper;
import com.fasterxml.jackson.databind.module.SimpleModule;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.gatehouse.table.EntryKind;
import java.io.IOException;
import java.time.Duration;

/**
 * Entry payloads as versioned JSON: {@code {"v":1,"value":{...}}}. Records map field by field, so a
 * later release can add fields: an older node ignores fields it does not know, and a newer node
 * reads a missing field as null, which the model's constructors turn into the default. A change
 * that cannot be expressed that way bumps {@link #FORMAT} and adds a reader for the old one.
 */
public final class EntryCodec {
  /** The payload format this release writes. */
  public static final int FORMAT = 1;

  private final ObjectMapper mapper;

  public EntryCodec() {
    SimpleModule durations = new SimpleModule("gatehouse-durations");
    durations.addSerializer(
        Duration.class,
        new JsonSerializer<>() {
          @Override
          public void serialize(Duration d, JsonGenerator g, SerializerProvider p)
              throws IOException {
            g.writeString(d.toString());
          }
        });
    durations.addDeserializer(
        Duration.class,
        new JsonDeserializer<>() {
          @Override
          public Duration deserialize(JsonParser p, DeserializationContext c) throws IOException {
            return Duration.parse(p.getValueAsString());
          }
        });
    mapper =
        JsonMapper.builder()
            .addModule(durations)
            .disable(DeserializationFeature.FAIL_ON_UNKNOWN_PROPERTIES)
            .enable(MapperFeature.SORT_PROPERTIES_ALPHABETICALLY)
            .build();
  }

  /** The JSON of {@code value}, one of the {@link EntryKind} records. */
  public String encode(Object value) {
    ObjectNode doc = mapper.createObjectNode();
    doc.put("v", FORMAT);
    doc.set("value", mapper.valueToTree(value));
    try {
      return mapper.writeValueAsString(doc);
    } catch (JsonProcessingException e) {
      throw new IllegalStateException("cannot encode " + value.getClass().getSimpleName(), e);
    }
  }

  /** Reads what {@link #encode} wrote, in this format or an older one. */
  public Object decode(EntryKind kind, String json) {
    try {
      JsonNode doc = mapper.readTree(json);
      int format = doc.path("v").asInt(-1);
      if (format < 1 || format > FORMAT) {
        throw new IllegalArgumentException(
            "payload format "
                + format
                + " is not readable by this release (reads 1.."
                + FORMAT
                + ")");
      }
      return mapper.treeToValue(doc.get("value"), kind.type());
    } catch (JsonProcessingException e) {
      // Jackson's messages quote the document, which may hold a private key: name the place only.
      throw new IllegalArgumentException(
          "cannot decode a "
              + kind
              + " payload ("
              + e.getClass().getSimpleName()
              + (e.getLocation() == null ? "" : " at offset " + e.getLocation().getCharOffset())
              + ")");
    }
  }
}
