// Human figures. Durations use one scheme everywhere: whole seconds under a minute, whole
// minutes under an hour, "h + min" under a day, days with one decimal under two weeks, weeks
// under a year, then years. Never "NaN": a missing or non-finite value is an en dash.

const DASH = "–";
const MINUTE = 60;
const DAY = 86400;
const WEEK = 7 * DAY;
const YEAR = 365 * DAY;

function oneDecimal(value: number): string {
  const rounded = Math.round(value * 10) / 10;
  return Number.isInteger(rounded) ? String(rounded) : rounded.toFixed(1);
}

export function formatDuration(seconds: number | null | undefined): string {
  if (seconds === null || seconds === undefined || !Number.isFinite(seconds)) return DASH;
  if (seconds < 0) return `-${formatDuration(-seconds)}`;
  const s = Math.round(seconds);
  if (s < MINUTE) return `${s} s`;
  const minutes = Math.round(seconds / MINUTE);
  if (minutes < 60) return `${minutes} min`;
  if (minutes < 24 * 60) {
    const h = Math.floor(minutes / 60);
    const m = minutes % 60;
    return m ? `${h} h ${m} min` : `${h} h`;
  }
  const days = Math.round((seconds / DAY) * 10) / 10;
  if (days < 14) return `${oneDecimal(days)} d`;
  if (seconds < YEAR) {
    const weeks = seconds / WEEK;
    return weeks < 10 ? `${oneDecimal(weeks)} wk` : `${Math.round(weeks)} wk`;
  }
  const years = seconds / YEAR;
  return years < 10 ? `${oneDecimal(years)} y` : `${Math.round(years)} y`;
}

const counts = new Intl.NumberFormat("en-US", { maximumFractionDigits: 0 });

export function formatCount(value: number | null | undefined): string {
  if (value === null || value === undefined || !Number.isFinite(value)) return DASH;
  return counts.format(value);
}

/** A share in [0, 1] as a percentage a person can trust: "<1%" and ">99%" at the edges. */
export function formatPercent(share: number | null | undefined): string {
  if (share === null || share === undefined || !Number.isFinite(share)) return DASH;
  if (share <= 0) return "0%";
  if (share >= 1) return "100%";
  const pct = share * 100;
  if (pct < 1) return "<1%";
  if (pct > 99 && Math.round(pct) >= 100) return ">99%";
  return `${Math.round(pct)}%`;
}

const dateTime = new Intl.DateTimeFormat("en-GB", {
  day: "numeric",
  month: "short",
  year: "numeric",
  hour: "2-digit",
  minute: "2-digit",
  hour12: false,
  timeZone: "UTC",
});

export function formatDateTime(iso: string | null | undefined): string {
  if (!iso) return DASH;
  const date = new Date(iso);
  if (Number.isNaN(date.getTime())) return DASH;
  return `${dateTime.format(date)} UTC`;
}

/** A date input's day (YYYY-MM-DD) as the API's window bound: `from` is that day's start,
 * `to` is the start of the next day, so the picked end day is included. */
export function dayToInstant(day: string, bound: "from" | "to"): string | null {
  if (!/^\d{4}-\d{2}-\d{2}$/.test(day)) return null;
  const date = new Date(`${day}T00:00:00Z`);
  if (Number.isNaN(date.getTime())) return null;
  if (bound === "to") date.setUTCDate(date.getUTCDate() + 1);
  return date.toISOString().replace(".000Z", "Z");
}

export function plural(count: number, one: string, many = `${one}s`): string {
  return `${formatCount(count)} ${count === 1 ? one : many}`;
}
