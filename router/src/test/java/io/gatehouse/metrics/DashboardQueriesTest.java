package io.gatehouse.metrics;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

class DashboardQueriesTest {
  @Test
  void functions_labels_ranges_groupings_and_numbers_are_not_metric_names() {
    assertThat(
            DashboardQueries.metricNames(
                "histogram_quantile(0.99, sum by (le, route) (rate(gatehouse_request_duration_seconds_bucket{instance=~\"$instance\",code=\"5xx\"}[$__rate_interval])))"))
        .containsExactly("gatehouse_request_duration_seconds_bucket");
  }

  @Test
  void both_sides_of_a_division_are_read() {
    assertThat(
            DashboardQueries.metricNames(
                "sum(rate(a_total[5m])) / sum without (x) (rate(b_total{y=\"z\"}[5m]))"))
        .containsExactly("a_total", "b_total");
  }

  @Test
  void a_label_values_query_names_its_metric() {
    assertThat(
            DashboardQueries.metricNames("label_values(gatehouse_snapshot_generation, instance)"))
        .containsExactly("gatehouse_snapshot_generation");
  }

  @Test
  void a_misspelt_metric_is_reported_as_it_is() {
    assertThat(DashboardQueries.metricNames("gatehouse_requets_total"))
        .containsExactly("gatehouse_requets_total");
  }
}
