package io.gatehouse.testing;

import java.io.IOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.HashSet;
import java.util.List;
import java.util.Set;

/**
 * The TCP sockets a process listens on, as Linux sees them: its socket inodes from {@code
 * /proc/PID/fd}, their local addresses from {@code /proc/PID/net/tcp} and {@code tcp6}. What {@code
 * ss -ltnp} shows, without depending on the tool being installed.
 */
public final class ListeningSockets {
  private static final String LISTEN = "0A";

  private ListeningSockets() {}

  /** Every address process {@code pid} listens on; a wildcard bind shows as 0.0.0.0 or ::. */
  public static Set<InetSocketAddress> of(long pid) throws IOException {
    Set<String> inodes = socketInodes(pid);
    Set<InetSocketAddress> out = new HashSet<>();
    for (String table : List.of("tcp", "tcp6")) {
      Path file = Path.of("/proc", Long.toString(pid), "net", table);
      if (!Files.exists(file)) {
        continue;
      }
      List<String> lines = Files.readAllLines(file);
      for (String line : lines.subList(1, lines.size())) {
        String[] f = line.trim().split("\\s+");
        // sl local_address rem_address st tx:rx tr:when retrnsmt uid timeout inode
        if (f.length > 9 && LISTEN.equals(f[3]) && inodes.contains(f[9])) {
          out.add(address(f[1]));
        }
      }
    }
    return out;
  }

  private static Set<String> socketInodes(long pid) throws IOException {
    Set<String> inodes = new HashSet<>();
    try (DirectoryStream<Path> fds =
        Files.newDirectoryStream(Path.of("/proc", Long.toString(pid), "fd"))) {
      for (Path fd : fds) {
        String target;
        try {
          target = Files.readSymbolicLink(fd).toString();
        } catch (NoSuchFileException e) {
          continue; // closed while listing
        }
        if (target.startsWith("socket:[")) {
          inodes.add(target.substring("socket:[".length(), target.length() - 1));
        }
      }
    }
    return inodes;
  }

  /**
   * {@code 0100007F:1F90} is 127.0.0.1:8080: the address is written as 32-bit words in the host's
   * (little-endian) byte order, the port in plain hex. A v4-mapped IPv6 address comes back as IPv4.
   */
  static InetSocketAddress address(String hexAddressAndPort) throws IOException {
    int colon = hexAddressAndPort.indexOf(':');
    String hex = hexAddressAndPort.substring(0, colon);
    byte[] bytes = new byte[hex.length() / 2];
    for (int word = 0; word < bytes.length / 4; word++) {
      for (int i = 0; i < 4; i++) {
        int at = (word * 4 + 3 - i) * 2;
        bytes[word * 4 + i] = (byte) Integer.parseInt(hex.substring(at, at + 2), 16);
      }
    }
    int port = Integer.parseInt(hexAddressAndPort.substring(colon + 1), 16);
    return new InetSocketAddress(InetAddress.getByAddress(bytes), port);
  }
}
