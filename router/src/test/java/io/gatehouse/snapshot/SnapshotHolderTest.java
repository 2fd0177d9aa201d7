package io.gatehouse.snapshot;

import static org.assertj.core.api.Assertions.assertThat;

import io.gatehouse.table.TableView;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Queue;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.Executor;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * The holder hands each published snapshot to its subscribers (the event loops) and answers it from
 * {@link SnapshotHolder#get} only once every one of them adopted it; a subscriber that leaves never
 * holds that up.
 */
@Timeout(30)
class SnapshotHolderTest {
  private final SnapshotHolder holder = new SnapshotHolder();

  /** An event loop whose tasks run only when the test says so. */
  private static final class Loop implements Executor {
    final Queue<Runnable> tasks = new ArrayDeque<>();
    final List<RouteSnapshot> adopted = new ArrayList<>();

    @Override
    public void execute(Runnable task) {
      tasks.add(task);
    }

    void runAll() {
      Runnable t;
      while ((t = tasks.poll()) != null) {
        t.run();
      }
    }
  }

  private static RouteSnapshot snapshot(long generation) {
    return SnapshotCompiler.compile(new TableView(generation, Map.of()));
  }

  @Test
  void a_snapshot_is_served_only_once_every_loop_adopted_it() {
    Loop one = new Loop();
    Loop two = new Loop();
    holder.subscribe(one, one.adopted::add);
    holder.subscribe(two, two.adopted::add);
    RouteSnapshot s = snapshot(1);

    CompletableFuture<Void> adopted = holder.publish(s);

    assertThat(holder.latest()).isSameAs(s);
    assertThat(holder.get()).as("no loop adopted yet").isNull();
    one.runAll();
    assertThat(adopted).isNotDone();
    assertThat(holder.hasSnapshot()).isFalse();
    two.runAll();
    assertThat(adopted).isDone();
    assertThat(holder.get()).isSameAs(s);
    assertThat(one.adopted).containsExactly(s);
    assertThat(two.adopted).containsExactly(s);
  }

  @Test
  void without_subscribers_a_snapshot_is_served_at_once() {
    RouteSnapshot s = snapshot(1);
    assertThat(holder.publish(s)).isDone();
    assertThat(holder.get()).isSameAs(s);
  }

  @Test
  void a_loop_that_leaves_completes_what_it_had_not_adopted_and_gets_nothing_more() {
    Loop stays = new Loop();
    Loop leaves = new Loop();
    holder.subscribe(stays, stays.adopted::add);
    SnapshotHolder.Subscription gone = holder.subscribe(leaves, leaves.adopted::add);

    CompletableFuture<Void> first = holder.publish(snapshot(1));
    stays.runAll();
    gone.close();

    assertThat(first).as("the undeployed loop does not hold up served").isDone();
    CompletableFuture<Void> second = holder.publish(snapshot(2));
    stays.runAll();
    assertThat(second).isDone();
    assertThat(leaves.tasks).hasSize(1);
    leaves.runAll();
    assertThat(leaves.adopted).as("a task queued before it left does nothing").isEmpty();
    assertThat(holder.get().generation()).isEqualTo(2);
  }

  @Test
  void an_adoption_that_throws_is_reported_and_does_not_hold_up_the_others() {
    Loop ok = new Loop();
    Loop broken = new Loop();
    holder.subscribe(ok, ok.adopted::add);
    holder.subscribe(
        broken,
        s -> {
          throw new IllegalStateException("boom");
        });
    RouteSnapshot s = snapshot(1);

    CompletableFuture<Void> adopted = holder.publish(s);
    ok.runAll();
    broken.runAll();

    assertThat(adopted).isCompletedExceptionally();
    assertThat(holder.get()).isSameAs(s);
  }
}
