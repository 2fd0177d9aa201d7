package io.gatehouse.policy;

import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.Consumer;

/**
 * A forward-auth service in memory: records each subrequest and answers it at once (within {@link
 * #check}) when {@link #answerNow} is set, else when the test calls {@link #answer}.
 */
final class FakeForwardAuthService implements ForwardAuthService {
  record Call(
      ForwardAuthTarget target,
      String method,
      List<String> headers,
      long timeoutMillis,
      List<String> keep,
      Consumer<ForwardAuthAnswer> done) {
    String header(String name) {
      for (int i = 0; i < headers.size(); i += 2) {
        if (headers.get(i).equals(name)) {
          return headers.get(i + 1);
        }
      }
      return null;
    }

    long count(String name) {
      long n = 0;
      for (int i = 0; i < headers.size(); i += 2) {
        if (headers.get(i).equals(name)) {
          n++;
        }
      }
      return n;
    }
  }

  final List<Call> calls = new ArrayList<>();
  final AtomicLong nanos = new AtomicLong();
  final ForwardAuthCache cache = new ForwardAuthCache(100, nanos::get);
  ForwardAuthAnswer answerNow;

  static PolicyServices services(FakeForwardAuthService s) {
    return new PolicyServices() {
      @Override
      public ForwardAuthService forwardAuth() {
        return s;
      }
    };
  }

  @Override
  public void check(
      ForwardAuthTarget target,
      String method,
      List<String> headers,
      long timeoutMillis,
      List<String> keep,
      ForwardAuthCache.Key shared,
      Consumer<ForwardAuthAnswer> done) {
    calls.add(new Call(target, method, headers, timeoutMillis, keep, done));
    if (answerNow != null) {
      done.accept(answerNow);
    }
  }

  /** Answers the last subrequest. */
  void answer(ForwardAuthAnswer a) {
    calls.get(calls.size() - 1).done().accept(a);
  }

  @Override
  public ForwardAuthCache cache() {
    return cache;
  }
}
