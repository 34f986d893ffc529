// @ts-check
// Numbers as the page shows them.

const counts = new Intl.NumberFormat('en-US');

/** @param {number} n */
export function count(n) {
  return Number.isFinite(n) ? counts.format(n) : '–';
}

/** @param {number} n */
export function bytes(n) {
  if (!Number.isFinite(n)) return '–';
  if (n < 1024) return `${n} B`;
  const units = ['KiB', 'MiB', 'GiB', 'TiB'];
  let value = n / 1024;
  let unit = 0;
  while (value >= 1024 && unit < units.length - 1) {
    value /= 1024;
    unit += 1;
  }
  return `${value.toFixed(value < 10 ? 2 : 1)} ${units[unit]}`;
}

/**
 * Megabytes (10^6 bytes) per second, as throughput is usually quoted.
 * @param {number} byteCount
 * @param {number} ms
 */
export function megabytesPerSecond(byteCount, ms) {
  return ms > 0 ? `${(byteCount / 1e6 / (ms / 1000)).toFixed(1)} MB/s` : '–';
}

/** @param {number} n @param {number} ms */
export function perSecond(n, ms) {
  return ms > 0 ? `${count(Math.round(n / (ms / 1000)))}/s` : '–';
}

/** @param {number} ms */
export function duration(ms) {
  if (!Number.isFinite(ms)) return '–';
  if (ms < 1000) return `${Math.round(ms)} ms`;
  if (ms < 60_000) return `${(ms / 1000).toFixed(1)} s`;
  const minutes = Math.floor(ms / 60_000);
  return `${minutes} min ${Math.round((ms % 60_000) / 1000)} s`;
}

/**
 * An epoch-ms time as `2026-11-02 14:05` (UTC), for axes and tooltips.
 * @param {number} ms
 */
export function minute(ms) {
  const date = new Date(ms);
  return Number.isNaN(date.getTime()) ? '–' : date.toISOString().slice(0, 16).replace('T', ' ');
}
