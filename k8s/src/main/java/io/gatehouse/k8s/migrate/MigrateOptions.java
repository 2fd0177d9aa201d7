package io.gatehouse.k8s.migrate;

import java.nio.file.Path;
import java.util.List;
import java.util.Objects;
import org.jspecify.annotations.Nullable;

/**
 * What {@code gatehouse migrate} reads and how it prints.
 *
 * @param files YAML files or directories (read recursively); empty reads the cluster instead
 * @param kubeconfig the cluster's kubeconfig when {@code files} is empty; null: {@code KUBECONFIG}
 *     or {@code ~/.kube/config}
 * @param context the kubeconfig context; null: its current one
 * @param namespace only this namespace (live), or the namespace of objects without one (files);
 *     null: every namespace (live), {@code default} (files)
 * @param configMap the controller ConfigMap: a YAML file, or {@code namespace/name} (in the files
 *     or the cluster); null: none
 * @param ingressClasses the classes reported; empty: ingress-nginx's defaults ({@code nginx}, the
 *     IngressClasses of controller {@value Migrator#NGINX_CONTROLLER}, and Ingresses without one)
 */
public record MigrateOptions(
    List<Path> files,
    @Nullable Path kubeconfig,
    @Nullable String context,
    @Nullable String namespace,
    @Nullable String configMap,
    List<String> ingressClasses,
    Format output) {

  /** The two renderings of one report. */
  public enum Format {
    TEXT,
    JSON
  }

  public MigrateOptions {
    files = List.copyOf(files);
    ingressClasses = List.copyOf(ingressClasses);
    Objects.requireNonNull(output, "output");
  }
}
