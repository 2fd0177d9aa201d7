package io.gatehouse.metrics;

import static org.assertj.core.api.Assertions.assertThat;

import io.prometheus.metrics.core.metrics.Histogram;
import io.prometheus.metrics.model.snapshots.ClassicHistogramBucket;
import io.prometheus.metrics.model.snapshots.HistogramSnapshot.HistogramDataPointSnapshot;
import io.prometheus.metrics.model.snapshots.NativeHistogramBucket;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import java.util.TreeMap;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/** The hand-written histogram against the Prometheus client's own, and its consistent reads. */
class HistogramCellTest {
  static final double[] UPPER = MetricsOptions.DEFAULT_BUCKETS;

  /** Near every bound (schema 3's, classic), exact powers of two, zero and a log spread. */
  static List<Double> values() {
    List<Double> v = new ArrayList<>();
    for (int e = -29; e <= 20; e++) {
      // Powers of two are exact bounds; the other bounds are irrational, and where a value within
      // one ulp of one lands depends on how each implementation rounds it (the Prometheus Java
      // client's bounds are an ulp above client_golang's, which these are).
      double p = Math.scalb(1.0, e);
      v.add(p);
      v.add(Math.nextUp(p));
      v.add(Math.nextDown(p));
      for (int j = 1; j < 8; j++) {
        double b = Math.pow(2, e + j / 8.0);
        v.add(b * (1 + 1e-9));
        v.add(b * (1 - 1e-9));
      }
    }
    for (double u : UPPER) {
      v.add(u);
      v.add(Math.nextUp(u));
    }
    v.add(0.0);
    v.add(1e-9);
    Random r = new Random(42);
    for (int i = 0; i < 5000; i++) {
      v.add(Math.pow(10, -6 + 8 * r.nextDouble()));
    }
    return v;
  }

  @Test
  void buckets_sum_and_count_match_the_prometheus_client_at_schema_3() {
    Histogram oracle =
        Histogram.builder()
            .name("oracle")
            .classicUpperBounds(UPPER)
            .nativeInitialSchema(3)
            .nativeMaxNumberOfBuckets(100_000)
            .withoutExemplars()
            .build();
    HistogramCell cell = new HistogramCell(UPPER);
    for (double v : values()) {
      oracle.observe(v);
      cell.observe(v);
    }
    HistogramDataPointSnapshot want = oracle.collect().getDataPoints().get(0);
    HistogramCell.Sum got = new HistogramCell.Sum(UPPER.length + 1);
    cell.addTo(got);

    assertThat(want.getNativeSchema()).isEqualTo(HistogramCell.SCHEMA);
    TreeMap<Integer, Long> wantNative = new TreeMap<>();
    for (NativeHistogramBucket b : want.getNativeBucketsForPositiveValues()) {
      wantNative.put(b.getBucketIndex(), b.getCount());
    }
    TreeMap<Integer, Long> gotNative = new TreeMap<>();
    for (int i = 0; i < got.natives.length; i++) {
      if (got.natives[i] > 0) {
        gotNative.put(HistogramCell.nativeIndex(i), got.natives[i]);
      }
    }
    assertThat(gotNative).isEqualTo(wantNative);
    assertThat(got.zero).isEqualTo(want.getNativeZeroCount());
    List<Long> wantClassic = new ArrayList<>();
    for (ClassicHistogramBucket b : want.getClassicBuckets()) {
      wantClassic.add(b.getCount());
    }
    List<Long> gotClassic = new ArrayList<>();
    for (long c : got.classic) {
      gotClassic.add(c);
    }
    assertThat(gotClassic).isEqualTo(wantClassic);
    assertThat(got.sum).isCloseTo(want.getSum(), org.assertj.core.data.Offset.offset(1e-6));
  }

  @Test
  void values_past_the_kept_exponents_land_in_the_end_buckets() {
    HistogramCell cell = new HistogramCell(UPPER);
    cell.observe(Math.scalb(1.0, -100));
    cell.observe(1e9);
    HistogramCell.Sum got = new HistogramCell.Sum(UPPER.length + 1);
    cell.addTo(got);
    assertThat(got.natives[0]).isEqualTo(1);
    assertThat(got.natives[got.natives.length - 1]).isEqualTo(1);
    assertThat(HistogramCell.nativeIndex(got.natives.length - 1)).isEqualTo(HistogramCell.HIGH);
    assertThat(got.classic[UPPER.length]).isEqualTo(1);
  }

  /**
   * A scrape racing the writer sees classic and native counts of one moment (the Prometheus model
   * throws on a histogram whose two counts differ).
   */
  @Test
  @Timeout(value = 30, unit = TimeUnit.SECONDS)
  void reads_racing_the_writer_see_equal_classic_and_native_counts() throws Exception {
    HistogramCell cell = new HistogramCell(UPPER);
    AtomicBoolean stop = new AtomicBoolean();
    CompletableFuture<Long> writer =
        CompletableFuture.supplyAsync(
            () -> {
              Random r = new Random(7);
              long n = 0;
              while (!stop.get()) {
                cell.observe(Math.pow(10, -6 + 8 * r.nextDouble()));
                n++;
              }
              return n;
            });
    long last = -1;
    int changed = 0;
    for (int i = 0; i < 20_000 && changed < 2_000; i++) {
      HistogramCell.Sum s = new HistogramCell.Sum(UPPER.length + 1);
      cell.addTo(s);
      long classic = 0;
      for (long c : s.classic) {
        classic += c;
      }
      long natives = s.zero;
      for (long c : s.natives) {
        natives += c;
      }
      assertThat(natives).isEqualTo(classic);
      assertThat(classic).isGreaterThanOrEqualTo(last);
      if (classic != last) {
        changed++;
      }
      last = classic;
    }
    stop.set(true);
    long written = writer.get(10, TimeUnit.SECONDS);
    HistogramCell.Sum end = new HistogramCell.Sum(UPPER.length + 1);
    cell.addTo(end);
    long total = 0;
    for (long c : end.classic) {
      total += c;
    }
    assertThat(total).isEqualTo(written);
    assertThat(changed).as("reads that saw the writer move").isGreaterThan(10);
  }
}
