// Pure formatting for the screens: times in the reader's locale with a relative hint, counts,
// sizes and progress arithmetic. No DOM here, so it is tested in node.

const UNITS: [Intl.RelativeTimeFormatUnit, number][] = [
  ["year", 365 * 24 * 3600],
  ["month", 30 * 24 * 3600],
  ["week", 7 * 24 * 3600],
  ["day", 24 * 3600],
  ["hour", 3600],
  ["minute", 60],
  ["second", 1],
];

function toDate(at: string | number | Date): Date {
  return at instanceof Date ? at : new Date(at);
}

/** "3 minutes ago", "in 2 hours", "just now" (within 45 s either way). */
export function relativeTime(at: string | number | Date, now: number = Date.now(), locale?: string): string {
  const when = toDate(at).getTime();
  if (!Number.isFinite(when)) return "";
  const seconds = Math.round((when - now) / 1000);
  if (Math.abs(seconds) < 45) return seconds < 0 || seconds === 0 ? "just now" : "in a few seconds";
  const format = new Intl.RelativeTimeFormat(locale, { numeric: "auto", style: "long" });
  for (const [unit, size] of UNITS) {
    if (Math.abs(seconds) >= size || unit === "second") {
      return format.format(Math.round(seconds / size), unit);
    }
  }
  return "";
}

/** The date and time in the reader's locale and time zone. */
export function absoluteTime(at: string | number | Date, locale?: string, timeZone?: string): string {
  const date = toDate(at);
  if (!Number.isFinite(date.getTime())) return "";
  return new Intl.DateTimeFormat(locale, {
    dateStyle: "medium",
    timeStyle: "short",
    ...(timeZone ? { timeZone } : {}),
  }).format(date);
}

export function formatCount(n: number, locale?: string): string {
  return new Intl.NumberFormat(locale).format(n);
}

export function plural(n: number, one: string, many: string, locale?: string): string {
  return `${formatCount(n, locale)} ${n === 1 ? one : many}`;
}

const BYTE_UNITS = ["bytes", "KB", "MB", "GB", "TB"];

export function formatBytes(bytes: number, locale?: string): string {
  if (!Number.isFinite(bytes) || bytes < 0) return "";
  if (bytes < 1024) return `${formatCount(bytes, locale)} ${bytes === 1 ? "byte" : "bytes"}`;
  let value = bytes;
  let unit = 0;
  while (value >= 1024 && unit < BYTE_UNITS.length - 1) {
    value /= 1024;
    unit += 1;
  }
  const digits = value < 10 ? 1 : 0;
  const shown = new Intl.NumberFormat(locale, { maximumFractionDigits: digits }).format(value);
  return `${shown} ${BYTE_UNITS[unit] ?? ""}`;
}

/** done/total in [0, 1], or null when the total is unknown (an indeterminate bar). */
export function ratio(done: number, total: number | null | undefined): number | null {
  if (!total || total <= 0 || !Number.isFinite(total) || !Number.isFinite(done)) return null;
  return Math.min(1, Math.max(0, done / total));
}

/** "42 %" for a ratio; an empty string when unknown. */
export function percent(value: number | null, locale?: string): string {
  if (value === null) return "";
  return new Intl.NumberFormat(locale, { style: "percent", maximumFractionDigits: 0 }).format(value);
}

/** Seconds until a time (0 when past): how long a rate-limited run still waits. */
export function secondsUntil(at: string | null | undefined, now: number = Date.now()): number {
  if (!at) return 0;
  const when = new Date(at).getTime();
  return Number.isFinite(when) ? Math.max(0, Math.ceil((when - now) / 1000)) : 0;
}

/** "45 seconds", "3 minutes", "2 hours": a wait in words. */
export function duration(seconds: number): string {
  const s = Math.max(0, Math.round(seconds));
  if (s < 60) return s === 1 ? "1 second" : `${s} seconds`;
  const m = Math.round(s / 60);
  if (m < 60) return m === 1 ? "1 minute" : `${m} minutes`;
  const h = Math.round(m / 60);
  if (h < 48) return h === 1 ? "1 hour" : `${h} hours`;
  const d = Math.round(h / 24);
  return `${d} days`;
}
