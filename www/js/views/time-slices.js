// @ts-check
// Long passes over the rows (filtering, sorting, counting 400,000 of them) share the main
// thread with the page: each works in slices of a few milliseconds and gives the browser
// a task in between to paint and take input. The slices are measured in time, not in
// rows, so that a slow machine or a dear row makes more slices, not longer ones.

/** @type {{ yield?: unknown } | undefined} the Prioritized Task Scheduling API, where there is one */
const scheduler = Reflect.get(globalThis, 'scheduler');

/**
 * The next task: what a long pass yields to. `scheduler.yield()` where the browser has
 * it (Chromium 129 and later): its continuation is not held back like a chain of
 * `setTimeout(0)`, which browsers clamp to 4 ms after a few nested calls.
 * @returns {Promise<void>}
 */
export function nextTask() {
  if (typeof scheduler?.yield === 'function') return scheduler.yield();
  return new Promise((resolve) => { setTimeout(resolve, 0); });
}

/** A pass's work between two tasks, in ms: well under the 50 ms of a long task. */
export const SLICE_MS = 8;

/** How many rows a pass handles between two looks at the clock. */
export const ROWS_PER_LOOK = 1024;

export class TimeSlices {
  /** @param {number} [ms] */
  constructor(ms = SLICE_MS) {
    this.ms = ms;
    this.deadline = performance.now() + ms;
  }

  /** Whether this slice's time is up. */
  get due() {
    return performance.now() >= this.deadline;
  }

  /**
   * Whether a pass over rows should yield before row `i`: it looks at the clock once
   * every ROWS_PER_LOOK rows.
   * @param {number} i
   */
  dueAt(i) {
    return i % ROWS_PER_LOOK === ROWS_PER_LOOK - 1 && this.due;
  }

  /** Give the browser a task, then start the next slice. */
  async next() {
    await nextTask();
    this.deadline = performance.now() + this.ms;
  }
}
