package io.gatehouse.endpoint;

import static org.assertj.core.api.Assertions.assertThat;

import io.gatehouse.model.BackendKey;
import io.gatehouse.model.Endpoint;
import io.gatehouse.model.RouteKey;
import io.gatehouse.model.TenantId;
import java.util.ArrayList;
import java.util.List;
import java.util.SplittableRandom;
import java.util.concurrent.Callable;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * Writers churn while readers read slots without locks. Every list a writer puts is a function of
 * (key, n), so a reader can tell a set that was put from a torn or foreign one without sharing
 * state with the writers.
 */
@Timeout(60)
class EndpointIndexStressTest {
  private static final int KEYS = 8;
  private static final int QUIET = 4;
  private static final int WRITERS = 2;
  private static final int READERS = 2;
  private static final long RUN_NANOS = TimeUnit.SECONDS.toNanos(2);

  private final EndpointIndex index = new EndpointIndex();
  private final EndpointsKey[] keys = new EndpointsKey[KEYS];
  private final int[] slots = new int[KEYS];
  private final int[] lastN = new int[KEYS]; // written by the key's writer only; -1 = removed
  // Put once and never written again: a lost store (e.g. when the slot array grows) stays visible.
  private final int[] quietSlots = new int[QUIET];
  private final EndpointSet[] quietSets = new EndpointSet[QUIET];

  /** The list put for key {@code i} at step {@code n}: 0 to 3 endpoints, all naming (i, n). */
  private static List<Endpoint> listOf(int i, int n) {
    List<Endpoint> list = new ArrayList<>();
    for (int p = n % 4 - 1; p >= 0; p--) { // in reverse: the index sorts
      list.add(new Endpoint("k" + i + "-n" + n, 1000 + p, 1 + p));
    }
    return list;
  }

  @Test
  void readers_only_ever_see_whole_sets_that_were_put_and_never_go_back() throws Exception {
    for (int i = 0; i < KEYS; i++) {
      keys[i] = new EndpointsKey.Service("ns", "svc" + i, 80, null);
      index.put(keys[i], listOf(i, 1));
      lastN[i] = 1;
      slots[i] = index.retain(keys[i]);
    }
    for (int q = 0; q < QUIET; q++) {
      EndpointsKey key = new EndpointsKey.Named(new BackendKey(TenantId.of("t"), "quiet" + q));
      index.put(key, List.of(Endpoint.of("quiet", q)));
      quietSlots[q] = index.retain(key);
      quietSets[q] = index.get(key);
    }
    ExecutorService pool = Executors.newFixedThreadPool(WRITERS + READERS + 1);
    CountDownLatch start = new CountDownLatch(1);
    long deadline = System.nanoTime() + RUN_NANOS;
    List<Future<Long>> writers = new ArrayList<>();
    List<Future<Long>> readers = new ArrayList<>();
    try {
      for (int w = 0; w < WRITERS; w++) {
        int writer = w;
        writers.add(pool.submit(() -> write(writer, start, deadline)));
      }
      writers.add(pool.submit(() -> churnSlots(start, deadline)));
      for (int r = 0; r < READERS; r++) {
        readers.add(pool.submit((Callable<Long>) () -> read(start, deadline)));
      }
      start.countDown();
      long writes = 0;
      for (Future<Long> f : writers) {
        writes += f.get(30, TimeUnit.SECONDS);
      }
      for (Future<Long> f : readers) {
        assertThat(f.get(30, TimeUnit.SECONDS)).as("changes one reader saw").isPositive();
      }
      assertThat(writes).isPositive();
    } finally {
      pool.shutdownNow();
      assertThat(pool.awaitTermination(30, TimeUnit.SECONDS)).isTrue();
    }
    for (int q = 0; q < QUIET; q++) {
      assertThat(index.get(quietSlots[q])).isSameAs(quietSets[q]);
    }
    for (int i = 0; i < KEYS; i++) {
      EndpointSet last = index.get(slots[i]);
      assertThat(last).isSameAs(index.get(keys[i]));
      assertThat(last.endpoints())
          .isEqualTo(lastN[i] < 0 ? List.of() : sortedCopy(listOf(i, lastN[i])));
    }
  }

  /** Puts (often an equal list again) and removes the keys this writer owns. */
  private long write(int writer, CountDownLatch start, long deadline) throws InterruptedException {
    SplittableRandom random = new SplittableRandom(42 + writer);
    start.await();
    long changes = 0;
    while (System.nanoTime() < deadline) {
      int i = writer + WRITERS * random.nextInt(KEYS / WRITERS);
      if (random.nextInt(8) == 0) {
        index.remove(keys[i]);
        lastN[i] = -1;
        changes++;
        continue;
      }
      int n = random.nextInt(1, 40);
      EndpointSet before = index.get(keys[i]);
      boolean changed = index.put(keys[i], listOf(i, n));
      // Equal contents: both empty (a removed key reads empty too), or the same step.
      boolean equal = n % 4 == 0 ? lastN[i] < 0 || lastN[i] % 4 == 0 : n == lastN[i];
      // This writer owns the key, so an equal put must keep the very same set.
      assertThat(changed).as("put of %s over %s", n, lastN[i]).isEqualTo(!equal);
      if (!changed) {
        assertThat(index.get(keys[i])).isSameAs(before);
      }
      lastN[i] = n;
      changes++;
    }
    return changes;
  }

  /** Retains, feeds, removes and releases keys nobody reads: slots are allocated, grown, reused. */
  private long churnSlots(CountDownLatch start, long deadline) throws InterruptedException {
    SplittableRandom random = new SplittableRandom(7);
    List<EndpointsKey> held = new ArrayList<>();
    List<Integer> heldSlots = new ArrayList<>();
    start.await();
    long rounds = 0;
    while (System.nanoTime() < deadline) {
      for (int k = random.nextInt(1, 300); k > 0; k--) {
        EndpointsKey key = new EndpointsKey.Inline(RouteKey.of("t", "api", "r" + rounds), k);
        index.put(key, List.of(Endpoint.of("transient", k)));
        held.add(key);
        heldSlots.add(index.retain(key));
      }
      for (int j = 0; j < held.size(); j++) {
        index.remove(held.get(j));
        index.release(heldSlots.get(j));
      }
      held.clear();
      heldSlots.clear();
      rounds++;
    }
    return rounds;
  }

  /** Reads every stable slot in turn; returns how many new sets it saw. */
  private long read(CountDownLatch start, long deadline) throws InterruptedException {
    long[] lastRevision = new long[KEYS];
    start.await();
    long changes = 0;
    while (System.nanoTime() < deadline) {
      for (int i = 0; i < KEYS; i++) {
        EndpointSet set = index.get(slots[i]);
        assertThat(set).isNotNull();
        assertThat(set.key()).isEqualTo(keys[i]);
        assertThat(set.revision()).isGreaterThanOrEqualTo(lastRevision[i]);
        if (set.revision() != lastRevision[i]) {
          changes++;
          lastRevision[i] = set.revision();
          checkWhole(i, set);
        }
      }
      for (int q = 0; q < QUIET; q++) {
        assertThat(index.get(quietSlots[q])).isSameAs(quietSets[q]);
      }
    }
    return changes;
  }

  /** An empty set, or exactly the list put at some step n for this key. */
  private static void checkWhole(int i, EndpointSet set) {
    if (set.isEmpty()) {
      return;
    }
    String host = set.endpoints().get(0).host();
    String prefix = "k" + i + "-n";
    assertThat(host).startsWith(prefix);
    int n = Integer.parseInt(host.substring(prefix.length()));
    assertThat(set.endpoints()).isEqualTo(sortedCopy(listOf(i, n)));
  }

  private static List<Endpoint> sortedCopy(List<Endpoint> list) {
    List<Endpoint> copy = new ArrayList<>(list);
    copy.sort(EndpointSet.ORDER);
    return copy;
  }
}
