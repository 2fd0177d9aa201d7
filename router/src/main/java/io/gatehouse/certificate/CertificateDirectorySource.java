package io.gatehouse.certificate;

import io.gatehouse.model.CertificateKey;
import io.gatehouse.model.CertificateSpec;
import io.gatehouse.model.PrivateKeyPem;
import io.gatehouse.validate.CertificateValidator;
import io.gatehouse.validate.ValidCertificate;
import io.gatehouse.validate.Validated;
import io.gatehouse.validate.Violation;
import io.vertx.core.Context;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.TreeMap;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Collectors;
import org.jspecify.annotations.Nullable;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Keeps the certificate index equal to the valid certificates of one directory.
 *
 * <p>The directory holds {@code NAME.crt} (the chain, leaf first) with {@code NAME.key} (its
 * unencrypted private key), and/or {@code NAME.pem} holding both. Files whose names start with a
 * dot are ignored (Kubernetes secret volumes keep their data behind {@code ..data} links, which the
 * visible names point through). Each certificate becomes {@code default/NAME} and passes {@link
 * CertificateValidator}; an invalid one is logged once (WARN: the file and the reasons, never key
 * material) and skipped, and the others are served. The default certificate, for clients without
 * SNI or with a name nothing covers, is the one named {@code defaultName}; when that name is empty,
 * missing or invalid, the generated self-signed certificate is served instead.
 *
 * <p>The directory is polled: every poll reads the (small) files and compares a SHA-256 of names
 * and contents, so editors that replace files and secret volumes that swap links are both noticed.
 * A changed directory is validated on a worker thread and published into the {@link
 * CertificateIndexHolder}, which swaps in the next index; handshakes from then on see it. The
 * directory is also validated again once a served certificate has expired, which then stops being
 * served. A missing first directory fails {@link #start()}; a directory that disappears later keeps
 * the last index.
 */
public final class CertificateDirectorySource {
  /** Larger files are refused without being read (the validator's limit for chain and key). */
  public static final long MAX_FILE_BYTES = CertificateValidator.MAX_PEM_CHARS;

  /** The tenant of certificates read from the directory. */
  public static final String TENANT = "default";

  private static final Logger log = LoggerFactory.getLogger(CertificateDirectorySource.class);
  private static final Pattern KEY_BLOCK =
      Pattern.compile(
          "-----BEGIN ([A-Z ]*PRIVATE KEY|EC PARAMETERS)-----.*?-----END \\1-----\\r?\\n?",
          Pattern.DOTALL);

  private final Vertx vertx;
  private final Context context;
  private final Path dir;
  private final Duration pollInterval;
  private final String defaultName;
  private final Clock clock;
  private final CertificateIndexHolder holder;
  private final AtomicBoolean checking = new AtomicBoolean();

  // Written only by the (ordered) blocking checks.
  private @Nullable String lastHash;
  private java.time.Instant firstExpiry = java.time.Instant.MAX;

  private volatile boolean stopped;
  private volatile long timerId = -1;

  /**
   * @param defaultName NAME of the default certificate in {@code dir}; empty for the generated one
   * @param holder where the directory's certificates are published (with the table's)
   */
  public CertificateDirectorySource(
      Vertx vertx,
      Path dir,
      Duration pollInterval,
      String defaultName,
      Clock clock,
      CertificateIndexHolder holder) {
    this.vertx = Objects.requireNonNull(vertx, "vertx");
    this.context = vertx.getOrCreateContext();
    this.dir = Objects.requireNonNull(dir, "dir");
    this.pollInterval = Objects.requireNonNull(pollInterval, "pollInterval");
    this.defaultName = Objects.requireNonNull(defaultName, "defaultName");
    this.clock = Objects.requireNonNull(clock, "clock");
    this.holder = Objects.requireNonNull(holder, "holder");
    if (pollInterval.toMillis() < 1) {
      throw new IllegalArgumentException("pollInterval must be at least 1ms");
    }
  }

  /** Loads the directory and starts polling; fails when the directory cannot be listed. */
  public Future<Void> start() {
    return context
        .executeBlocking(
            () -> {
              check();
              return null;
            })
        .compose(
            v -> {
              if (!stopped) {
                timerId = vertx.setPeriodic(pollInterval.toMillis(), id -> poll());
              }
              return Future.<Void>succeededFuture();
            });
  }

  /** Stops polling; the index keeps the certificates it has. */
  public void stop() {
    stopped = true;
    long id = timerId;
    if (id >= 0) {
      vertx.cancelTimer(id);
    }
  }

  public Path dir() {
    return dir;
  }

  private void poll() {
    if (stopped || !checking.compareAndSet(false, true)) {
      return;
    }
    context
        .executeBlocking(
            () -> {
              check();
              return null;
            })
        .onComplete(
            ar -> {
              checking.set(false);
              if (ar.failed()) {
                log.atWarn()
                    .addKeyValue("dir", dir)
                    .addKeyValue("reason", ar.cause().toString())
                    .log("certificate directory check failed; still serving the last certificates");
              }
            });
  }

  /** Runs on a worker: reads the directory and publishes the next index when it changed. */
  private void check() throws IOException {
    Map<String, byte[]> files = read();
    String hash = hash(files);
    boolean expired = clock.instant().isAfter(firstExpiry);
    if ((hash.equals(lastHash) && !expired) || stopped) {
      return;
    }
    lastHash = hash;
    List<ValidCertificate> valid = new ArrayList<>();
    ValidCertificate namedDefault = null;
    for (Map.Entry<String, Source> e : sources(files).entrySet()) {
      String name = e.getKey();
      Source s = e.getValue();
      String problem = s.problem();
      if (problem != null) {
        warn(s.files(), List.of(problem));
        continue;
      }
      Validated<ValidCertificate> v =
          CertificateValidator.validate(
              new CertificateSpec(
                  CertificateKey.of(TENANT, name),
                  Objects.requireNonNull(s.chainPem(), "chainPem"), // set when there is no problem
                  new PrivateKeyPem(Objects.requireNonNull(s.keyPem(), "keyPem"))),
              clock);
      ValidCertificate cert = v.value();
      if (cert == null) {
        warn(
            s.files(),
            v.violations().stream().map(Violation::toString).collect(Collectors.toList()));
        continue;
      }
      valid.add(cert);
      if (name.equals(defaultName)) {
        namedDefault = cert;
      }
    }
    if (!defaultName.isEmpty() && namedDefault == null) {
      log.atWarn()
          .addKeyValue("dir", dir)
          .addKeyValue("defaultCertificate", defaultName)
          .log(
              "the default certificate is missing or invalid; clients without SNI or with an"
                  + " unknown name get the generated self-signed certificate");
    }
    holder.publishDirectory(namedDefault, valid);
    firstExpiry =
        valid.stream()
            .map(ValidCertificate::notAfter)
            .min(java.time.Instant::compareTo)
            .orElse(java.time.Instant.MAX);
    log.atInfo()
        .addKeyValue("dir", dir)
        .addKeyValue("certificates", valid.size())
        .addKeyValue(
            "names",
            valid.stream().map(c -> c.key().name() + "=" + c.dnsNames()).toList().toString())
        .addKeyValue("default", namedDefault == null ? "generated" : defaultName)
        .log("TLS certificates loaded");
  }

  private void warn(List<String> files, List<String> reasons) {
    log.atWarn()
        .addKeyValue("dir", dir)
        .addKeyValue("files", String.join(",", files))
        .addKeyValue("reason", String.join("; ", reasons))
        .log("TLS certificate skipped");
  }

  /** The visible regular files ending in .crt, .key or .pem, by name. */
  private Map<String, byte @Nullable []> read() throws IOException {
    Map<String, byte @Nullable []> out = new TreeMap<>();
    try (DirectoryStream<Path> ds = Files.newDirectoryStream(dir)) {
      for (Path p : ds) {
        String name = p.getFileName().toString();
        if (name.startsWith(".")
            || !(name.endsWith(".crt") || name.endsWith(".key") || name.endsWith(".pem"))
            || !Files.isRegularFile(p)) {
          continue;
        }
        long size = Files.size(p);
        out.put(name, size > MAX_FILE_BYTES ? null : Files.readAllBytes(p));
      }
    }
    return out;
  }

  /** Where one certificate comes from: its PEM, or why it cannot be read. */
  private record Source(
      List<String> files,
      @Nullable String chainPem,
      @Nullable String keyPem,
      @Nullable String problem) {}

  private static Map<String, Source> sources(Map<String, byte @Nullable []> files) {
    Map<String, Source> out = new TreeMap<>();
    for (String file : files.keySet()) {
      String name = file.substring(0, file.length() - 4);
      if (out.containsKey(name)) {
        continue;
      }
      byte[] crt = files.get(name + ".crt");
      byte[] key = files.get(name + ".key");
      boolean hasCrt = files.containsKey(name + ".crt");
      boolean hasKey = files.containsKey(name + ".key");
      boolean hasPem = files.containsKey(name + ".pem");
      if (hasCrt || hasKey) {
        List<String> used = new ArrayList<>();
        if (hasCrt) {
          used.add(name + ".crt");
        }
        if (hasKey) {
          used.add(name + ".key");
        }
        if (!hasCrt || !hasKey) {
          out.put(
              name,
              new Source(used, null, null, "expected both " + name + ".crt and " + name + ".key"));
        } else if (crt == null || key == null) {
          out.put(name, new Source(used, null, null, "file larger than 1 MiB"));
        } else {
          if (hasPem) {
            used.add(name + ".pem (ignored: the .crt/.key pair wins)");
          }
          out.put(name, new Source(used, text(crt), text(key), null));
        }
        continue;
      }
      byte[] pem = files.get(name + ".pem");
      List<String> used = List.of(name + ".pem");
      if (pem == null) {
        out.put(name, new Source(used, null, null, "file larger than 1 MiB"));
        continue;
      }
      String text = text(pem);
      StringBuilder keyPem = new StringBuilder();
      Matcher m = KEY_BLOCK.matcher(text);
      while (m.find()) {
        keyPem.append(m.group()).append('\n');
      }
      String chainPem = KEY_BLOCK.matcher(text).replaceAll("");
      out.put(name, new Source(used, chainPem, keyPem.toString(), null));
    }
    return out;
  }

  private static String text(byte[] bytes) {
    return new String(bytes, StandardCharsets.US_ASCII);
  }

  private static String hash(Map<String, byte @Nullable []> files) {
    try {
      MessageDigest d = MessageDigest.getInstance("SHA-256");
      for (Map.Entry<String, byte @Nullable []> e : files.entrySet()) {
        d.update(e.getKey().getBytes(StandardCharsets.UTF_8));
        d.update((byte) 0);
        byte[] content = e.getValue();
        d.update(content == null ? new byte[] {1} : content);
        d.update((byte) 0);
      }
      return HexFormat.of().formatHex(d.digest());
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException("SHA-256 is required by the JDK", e);
    }
  }
}
