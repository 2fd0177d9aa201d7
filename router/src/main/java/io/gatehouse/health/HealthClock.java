package io.gatehouse.health;

/**
 * The two clocks health decisions read: monotonic time for this node's own decisions (an ejection's
 * end, a probe's interval), wall time only for what crosses to other members (an ejection's
 * absolute expiry). An interface so the detector's tests run on a fake clock.
 */
public interface HealthClock {
  HealthClock SYSTEM =
      new HealthClock() {
        @Override
        public long nanoTime() {
          return System.nanoTime();
        }

        @Override
        public long epochMillis() {
          return System.currentTimeMillis();
        }
      };

  long nanoTime();

  long epochMillis();
}
