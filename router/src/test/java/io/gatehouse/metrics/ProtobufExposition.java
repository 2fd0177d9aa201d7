package io.gatehouse.metrics;

import com.google.protobuf.ByteString;
import com.google.protobuf.CodedInputStream;
import com.google.protobuf.UnknownFieldSet;
import java.io.IOException;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

/**
 * Reads the protobuf exposition by the field numbers of Prometheus' {@code metrics.proto} (package
 * {@code io.prometheus.client}), the wire contract Prometheus itself reads. The client's generated
 * classes sit in a package named after its shaded protobuf version ({@code
 * ...generated.com_google_protobuf_4_31_1}), which a client upgrade renames; field numbers do not
 * change.
 */
final class ProtobufExposition {
  // MetricFamily
  private static final int FAMILY_NAME = 1;
  private static final int FAMILY_METRIC = 4;
  // Metric, LabelPair
  private static final int METRIC_LABEL = 1;
  private static final int METRIC_HISTOGRAM = 7;
  private static final int LABEL_NAME = 1;
  private static final int LABEL_VALUE = 2;
  // Histogram
  private static final int HISTOGRAM_SAMPLE_COUNT = 1;
  private static final int HISTOGRAM_BUCKET = 3;
  private static final int HISTOGRAM_SCHEMA = 5;
  private static final int HISTOGRAM_POSITIVE_SPAN = 12;

  /**
   * One histogram series.
   *
   * @param sampleCount observations
   * @param hasSchema whether it carries a native schema (exponential buckets)
   * @param positiveSpans native spans of positive buckets
   * @param classicBuckets classic buckets, {@code +Inf} included
   */
  record Histogram(long sampleCount, boolean hasSchema, int positiveSpans, int classicBuckets) {}

  private ProtobufExposition() {}

  /** The histogram of {@code family} whose label {@code label} is {@code value}, if any. */
  static Optional<Histogram> histogram(byte[] body, String family, String label, String value)
      throws IOException {
    for (UnknownFieldSet f : delimited(body)) {
      if (!string(f, FAMILY_NAME).equals(family)) {
        continue;
      }
      for (UnknownFieldSet m : messages(f, FAMILY_METRIC)) {
        boolean match = false;
        for (UnknownFieldSet l : messages(m, METRIC_LABEL)) {
          match |= string(l, LABEL_NAME).equals(label) && string(l, LABEL_VALUE).equals(value);
        }
        List<UnknownFieldSet> h = messages(m, METRIC_HISTOGRAM);
        if (match && !h.isEmpty()) {
          UnknownFieldSet hist = h.get(0);
          List<Long> count = hist.getField(HISTOGRAM_SAMPLE_COUNT).getVarintList();
          return Optional.of(
              new Histogram(
                  count.isEmpty() ? 0 : count.get(0),
                  hist.hasField(HISTOGRAM_SCHEMA),
                  messages(hist, HISTOGRAM_POSITIVE_SPAN).size(),
                  messages(hist, HISTOGRAM_BUCKET).size()));
        }
      }
    }
    return Optional.empty();
  }

  /** Length-prefixed messages one after another, as {@code writeDelimitedTo} writes them. */
  private static List<UnknownFieldSet> delimited(byte[] body) throws IOException {
    CodedInputStream in = CodedInputStream.newInstance(body);
    List<UnknownFieldSet> out = new ArrayList<>();
    while (!in.isAtEnd()) {
      out.add(UnknownFieldSet.parseFrom(in.readBytes()));
    }
    return out;
  }

  private static List<UnknownFieldSet> messages(UnknownFieldSet set, int field) throws IOException {
    List<UnknownFieldSet> out = new ArrayList<>();
    if (set.hasField(field)) {
      for (ByteString b : set.getField(field).getLengthDelimitedList()) {
        out.add(UnknownFieldSet.parseFrom(b));
      }
    }
    return out;
  }

  private static String string(UnknownFieldSet set, int field) {
    if (!set.hasField(field)) {
      return "";
    }
    List<ByteString> values = set.getField(field).getLengthDelimitedList();
    return values.isEmpty() ? "" : values.get(0).toStringUtf8();
  }
}
