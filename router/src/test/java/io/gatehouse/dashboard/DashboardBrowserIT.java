package io.gatehouse.dashboard;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import io.gatehouse.node.ConfigException;
import io.gatehouse.node.NodeConfig;
import io.gatehouse.testing.AdminNode;
import java.io.File;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.logging.Level;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;
import org.openqa.selenium.By;
import org.openqa.selenium.JavascriptExecutor;
import org.openqa.selenium.chrome.ChromeDriver;
import org.openqa.selenium.chrome.ChromeDriverService;
import org.openqa.selenium.chrome.ChromeOptions;
import org.openqa.selenium.logging.LogEntry;
import org.openqa.selenium.logging.LogType;
import org.openqa.selenium.logging.LoggingPreferences;

/**
 * The dashboard in a real browser (headless Chromium through chromedriver): the page loads and goes
 * live, a route added through the admin REST API shows within a second of the API's answer, and the
 * browser's console holds no error. Skipped, saying so, only where no Chromium or chromedriver is
 * installed ({@code .ci/run} installs Debian's {@code chromium} and {@code chromium-driver} where
 * apt can).
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
@Timeout(180)
class DashboardBrowserIT {
  private static final List<String> BROWSERS =
      List.of("chromium", "chromium-browser", "google-chrome", "google-chrome-stable");
  private static final List<String> DRIVERS = List.of("chromedriver");

  AdminNode node;
  ChromeDriver browser;

  /** The first of {@code names} found on PATH (then in /usr/bin), or empty. */
  static Optional<Path> executable(List<String> names) {
    List<Path> dirs = new ArrayList<>();
    for (String d : System.getenv().getOrDefault("PATH", "").split(File.pathSeparator)) {
      if (!d.isBlank()) {
        dirs.add(Path.of(d));
      }
    }
    dirs.add(Path.of("/usr/bin"));
    dirs.add(Path.of("/usr/lib/chromium"));
    for (String name : names) {
      for (Path d : dirs) {
        Path p = d.resolve(name);
        if (Files.isRegularFile(p) && Files.isExecutable(p)) {
          return Optional.of(p);
        }
      }
    }
    return Optional.empty();
  }

  @BeforeAll
  void start(@TempDir Path dir) throws Exception {
    Optional<Path> chromium = executable(BROWSERS);
    Optional<Path> driver = executable(DRIVERS);
    assumeTrue(
        chromium.isPresent() && driver.isPresent(),
        "SKIPPED: the dashboard's browser test needs Chromium and chromedriver (looked for "
            + BROWSERS
            + " and "
            + DRIVERS
            + " on PATH and in /usr/bin; found browser="
            + chromium.map(Path::toString).orElse("none")
            + ", driver="
            + driver.map(Path::toString).orElse("none")
            + "); install them with: apt-get install -y chromium chromium-driver");
    node = AdminNode.start(dir, c -> c.withDashboard(new NodeConfig.Dashboard(true)));

    ChromeOptions options = new ChromeOptions();
    options.setBinary(chromium.get().toFile());
    options.addArguments(
        "--headless=new",
        "--no-sandbox", // CI runs as root, where Chromium's sandbox refuses to start
        "--disable-gpu",
        "--disable-dev-shm-usage",
        "--no-first-run",
        "--disable-extensions",
        "--user-data-dir=" + dir.resolve("profile"));
    LoggingPreferences logs = new LoggingPreferences();
    logs.enable(LogType.BROWSER, Level.ALL);
    options.setCapability("goog:loggingPrefs", logs);
    ChromeDriverService service =
        new ChromeDriverService.Builder()
            .usingDriverExecutable(driver.get().toFile())
            .usingAnyFreePort()
            .build();
    browser = new ChromeDriver(service, options);
  }

  @AfterAll
  void stop() {
    // the browser first: a page polling a stopped node logs connection errors
    if (browser != null) {
      browser.quit();
    }
    if (node != null) {
      node.close();
    }
  }

  private String statusUrl(String path) {
    return "http://127.0.0.1:" + node.node().statusPort() + path;
  }

  private List<LogEntry> severe() {
    List<LogEntry> out = new ArrayList<>();
    for (LogEntry e : browser.manage().logs().get(LogType.BROWSER)) {
      if (e.getLevel().intValue() >= Level.SEVERE.intValue()) {
        out.add(e);
      }
    }
    return out;
  }

  /**
   * The texts of the cells of the first row matching {@code rowSelector}, read in one script turn:
   * the page re-renders its tables on each refresh, so a row found by one WebDriver call can be
   * gone (stale) by the next.
   */
  @SuppressWarnings("unchecked")
  private List<String> cells(String rowSelector) {
    return (List<String>)
        ((JavascriptExecutor) browser)
            .executeScript(
                "const r = document.querySelector(arguments[0]);"
                    + " return r ? Array.from(r.querySelectorAll('td')).map(td => td.innerText.trim()) : [];",
                rowSelector);
  }

  @Test
  void the_page_shows_a_refused_configuration_reload_as_a_current_problem(@TempDir Path dir)
      throws Exception {
    Path file = dir.resolve("gatehouse.yaml");
    Files.writeString(file, "# the node's file\n");
    String refusal =
        "configuration key \"http.port\" cannot change while the node runs (restart it to apply)";
    node.node()
        .node()
        .watchConfig(
            file,
            () -> {
              throw new ConfigException(refusal);
            });
    assertThat(node.node().node().reloadConfig()).isEqualTo("refused");

    browser.get(statusUrl("/dashboard/"));
    await()
        .atMost(Duration.ofSeconds(20))
        .until(() -> browser.findElement(By.id("problems")).getText().contains(refusal));
    assertThat(browser.findElement(By.id("problems")).getText())
        .contains("configuration reload refused (the node keeps its settings): " + refusal);
    List<String> cells = cells("#recent tr[data-kind='configReload']");
    assertThat(cells).hasSizeGreaterThanOrEqualTo(5);
    assertThat(cells.get(1)).isEqualTo("current");
    assertThat(cells.get(2)).isEqualTo("configReload");
    assertThat(cells.get(3)).isEqualTo(file.toString());
    assertThat(cells.get(4)).isEqualTo(refusal);
    assertThat(severe()).as("the browser console's errors").isEmpty();
  }

  @Test
  void the_page_shows_a_route_added_through_rest_within_a_second_and_logs_no_error()
      throws Exception {
    browser.get(statusUrl("/dashboard/"));
    await()
        .atMost(Duration.ofSeconds(20))
        .until(
            () ->
                "live".equals(browser.findElement(By.id("connection")).getAttribute("data-state")));
    assertThat(browser.getTitle()).isEqualTo("Gatehouse");
    assertThat(browser.findElement(By.id("node")).getText()).contains("ready yes");
    String row = "#routes tr[data-route-id='acme/api/browser-route']";
    assertThat(browser.findElements(By.cssSelector(row))).isEmpty();

    String host = "browser.dashboard.example";
    assertThat(
            node.admin("PUT", "/v1/tenants/acme/host-claims/" + host, node.token(), null)
                .statusCode())
        .isEqualTo(201);
    HttpResponse<String> put =
        node.admin(
            "PUT",
            "/v1/tenants/acme/routes/browser-route",
            node.token(),
            "{\"hosts\": [\""
                + host
                + "\"], \"paths\": [{\"type\": \"Prefix\", \"value\": \"/shop\"}],"
                + " \"backendRefs\": [{\"endpoints\": [\"10.0.0.3:8080\"]}]}");
    assertThat(put.statusCode()).as(put.body()).isEqualTo(201);
    long answered = System.nanoTime();
    // polled until it shows (longer than the second, so a miss is measured, not cut short)
    await()
        .atMost(Duration.ofSeconds(10))
        .pollInterval(Duration.ofMillis(20))
        .until(() -> !browser.findElements(By.cssSelector(row)).isEmpty());
    long millis = (System.nanoTime() - answered) / 1_000_000;
    System.out.println("dashboard: route shown " + millis + " ms after the admin API answered");
    assertThat(millis).as("shown %d ms after the API's answer", millis).isLessThan(1_000);
    List<String> cells = cells(row);
    assertThat(cells.get(0)).isEqualTo(host);
    assertThat(cells.get(1)).isEqualTo("/shop");
    assertThat(cells.get(3)).isEqualTo("acme");
    assertThat(cells.get(4)).isEqualTo("api");
    assertThat(cells.get(5)).isEqualTo("browser-route");
    await()
        .atMost(Duration.ofSeconds(5))
        .until(
            () ->
                browser.findElement(By.id("backends")).getText().contains("10.0.0.3:8080")
                    && browser.findElement(By.id("nodes")).getText().contains("(this node)"));

    // the filter keeps the route that matches and drops the others
    browser.findElement(By.id("filter")).sendKeys("no-such-host");
    await()
        .atMost(Duration.ofSeconds(5))
        .until(() -> browser.findElements(By.cssSelector(row)).isEmpty());
    browser.findElement(By.id("filter")).clear();
    browser.findElement(By.id("filter")).sendKeys("browser.dashboard");
    await()
        .atMost(Duration.ofSeconds(5))
        .until(() -> !browser.findElements(By.cssSelector(row)).isEmpty());

    assertThat(severe()).as("the browser console's errors").isEmpty();
    // and the console check sees an error when there is one
    ((JavascriptExecutor) browser).executeScript("console.error('dashboard probe')");
    assertThat(severe())
        .extracting(LogEntry::getMessage)
        .anyMatch(m -> m.contains("dashboard probe"));
  }
}
