package io.gatehouse.k8s.migrate;

import io.kubernetes.client.openapi.ApiClient;
import io.kubernetes.client.util.ClientBuilder;
import java.io.IOException;
import java.io.PrintWriter;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import org.jspecify.annotations.Nullable;

/**
 * {@code gatehouse migrate}: reads, reports, and returns the exit code (0 identical, 1 differences
 * only, 2 something not served, 70 the input could not be read; 64, usage, is the command line's).
 */
public final class MigrateCommand {
  private MigrateCommand() {}

  /**
   * Runs one report.
   *
   * @param client the cluster's client when {@code options.files()} is empty (see {@link #client});
   *     null with files
   */
  public static int run(
      MigrateOptions options, @Nullable ApiClient client, PrintWriter out, PrintWriter err) {
    try {
      MigrationInput input;
      if (!options.files().isEmpty()) {
        input =
            ManifestFiles.read(
                options.files(),
                options.namespace() == null ? "default" : options.namespace(),
                options.configMap());
      } else if (client != null) {
        input = LiveCluster.read(client, source(options), options.namespace(), options.configMap());
      } else {
        err.println("gatehouse migrate: no files and no cluster to read");
        err.flush();
        return MigrationReport.EXIT_USAGE;
      }
      MigrationReport report =
          new Migrator(Clock.systemUTC()).report(input, options.ingressClasses());
      out.print(
          options.output() == MigrateOptions.Format.JSON
              ? ReportWriter.json(report)
              : ReportWriter.text(report));
      out.flush();
      return report.summary().exitCode();
    } catch (MigrateException e) {
      err.println("gatehouse migrate: " + e.getMessage());
      err.flush();
      return MigrationReport.EXIT_UNREADABLE;
    } catch (LiveCluster.Unreadable e) {
      err.println("gatehouse migrate: " + e.getMessage());
      err.flush();
      return MigrationReport.EXIT_UNREADABLE;
    }
  }

  /** A read-only client for the kubeconfig file and context; see {@link MigrateOptions}. */
  public static ApiClient client(Path kubeconfig, @Nullable String context)
      throws MigrateException {
    return LiveCluster.client(kubeconfig, context);
  }

  /** A read-only client from the pod's ServiceAccount (when run inside the cluster). */
  public static ApiClient inClusterClient() throws MigrateException {
    try {
      return ClientBuilder.cluster().setReadTimeout(Duration.ofSeconds(30)).build();
    } catch (IOException | RuntimeException e) {
      throw new MigrateException("cannot use the pod's ServiceAccount: " + e.getMessage(), e);
    }
  }

  private static String source(MigrateOptions o) {
    return "cluster "
        + (o.kubeconfig() == null ? "(in-cluster)" : o.kubeconfig().toString())
        + (o.context() == null ? "" : " context " + o.context())
        + (o.namespace() == null ? "" : " namespace " + o.namespace());
  }
}
