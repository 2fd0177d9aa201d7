package io.gatehouse.node;

import java.io.File;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.jspecify.annotations.Nullable;

/**
 * Where the Kubernetes client finds its API server, decided before anything starts so a node
 * without credentials fails at once with what is missing (it used to wait two minutes for an
 * informer that could never sync). In order: {@code kubernetes.kubeconfig} ({@code --kubeconfig}),
 * {@code KUBECONFIG} (the first of its files that exists, as kubectl reads it), the pod's
 * ServiceAccount, then {@code ~/.kube/config}.
 *
 * @param kubeconfig the kubeconfig file to use, or null for the in-cluster ServiceAccount
 * @param origin what chose it, for messages
 */
record KubeCredentials(@Nullable Path kubeconfig, String origin) {
  static final Path SERVICE_ACCOUNT = Path.of("/var/run/secrets/kubernetes.io/serviceaccount");

  boolean inCluster() {
    return kubeconfig == null;
  }

  /**
   * @param configured {@code kubernetes.kubeconfig}, empty when not set
   * @param env the process environment ({@code KUBECONFIG}, {@code KUBERNETES_SERVICE_HOST}, {@code
   *     HOME})
   * @param serviceAccount the directory of the pod's ServiceAccount token
   */
  static KubeCredentials resolve(String configured, Map<String, String> env, Path serviceAccount)
      throws ConfigException {
    if (!configured.isBlank()) {
      Path p = Path.of(configured);
      if (!Files.isRegularFile(p) || !Files.isReadable(p)) {
        throw new ConfigException(
            "kubernetes.kubeconfig: \"" + configured + "\" is not a readable file");
      }
      return new KubeCredentials(p, "kubernetes.kubeconfig");
    }
    String list = env.getOrDefault("KUBECONFIG", "");
    if (!list.isBlank()) {
      for (String entry : list.split(File.pathSeparator)) {
        if (!entry.isBlank() && Files.isRegularFile(Path.of(entry))) {
          return new KubeCredentials(Path.of(entry), "KUBECONFIG");
        }
      }
      throw new ConfigException("KUBECONFIG=\"" + list + "\" names no kubeconfig file that exists");
    }
    List<String> missing = new ArrayList<>();
    boolean hostSet = !env.getOrDefault("KUBERNETES_SERVICE_HOST", "").isBlank();
    boolean portSet = !env.getOrDefault("KUBERNETES_SERVICE_PORT", "").isBlank();
    boolean token = Files.isReadable(serviceAccount.resolve("token"));
    if (hostSet && portSet && token) {
      return new KubeCredentials(null, "the pod's ServiceAccount");
    }
    if (!hostSet || !portSet) {
      missing.add("KUBERNETES_SERVICE_HOST/KUBERNETES_SERVICE_PORT are not set (not in a pod)");
    }
    if (!token) {
      missing.add("no ServiceAccount token at " + serviceAccount.resolve("token"));
    }
    String home = env.getOrDefault("HOME", "");
    if (!home.isBlank()) {
      Path user = Path.of(home, ".kube", "config");
      if (Files.isRegularFile(user)) {
        return new KubeCredentials(user, "~/.kube/config");
      }
      missing.add("no " + user);
    }
    throw new ConfigException(
        "kubernetes.enabled is true but no Kubernetes API credentials were found: "
            + String.join(", ", missing)
            + ". Set --kubeconfig PATH (kubernetes.kubeconfig) or KUBECONFIG, or run in a pod"
            + " with a ServiceAccount.");
  }
}
