/**
 * Wall-clock times read in a time zone, from ICU's time zone data (what `Intl` ships with Node): no library, no AWS.
 * An export written in Italy says `03/11/2025 10:15` and means 10:15 in Rome, 09:15 UTC.
 */

/**
 * The instant a wall-clock time (`yyyy-MM-dd`, `HH:MM:SS`) names in a time zone, as ISO 8601 UTC (the time itself in
 * UTC when the zone is none or UTC). Where the clocks go forward, a time in the hour skipped is read after the change
 * (`02:30` in Rome on the last Sunday of March is 03:30 summer time); where they go back, a time in the hour seen
 * twice is its first occurrence (summer time), as java.time reads them.
 */
export function localTime(date: string, time: string, timeZone?: string): string {
  // Every timestamp of an import comes this way: in UTC, the string as it stands.
  if (!timeZone || timeZone === 'UTC') return `${date}T${time}.000Z`;
  const wall = Date.parse(`${date}T${time}Z`);
  const before = zoneOffset(timeZone, wall - DAY_MS);
  const after = zoneOffset(timeZone, wall + DAY_MS);
  // Earlier instant first: in an overlap both read back as the wall time, and the first occurrence wins.
  for (const offset of before >= after ? [before, after] : [after, before]) {
    if (zoneOffset(timeZone, wall - offset) === offset) return new Date(wall - offset).toISOString();
  }
  return new Date(wall - before).toISOString();
}

const DAY_MS = 86_400_000;
const QUARTER_HOUR_MS = 900_000;
const zoneClocks = new Map<string, Intl.DateTimeFormat>();
const zoneOffsets = new Map<string, number>();

/**
 * A zone's offset from UTC at an instant, in ms, from ICU's time zone data. Offsets change only on a quarter hour
 * (every rule in the tz database since 1970), so they are cached per quarter hour.
 */
function zoneOffset(timeZone: string, at: number): number {
  const quarter = Math.floor(at / QUARTER_HOUR_MS);
  const key = `${timeZone}|${quarter}`;
  let offset = zoneOffsets.get(key);
  if (offset === undefined) {
    let clock = zoneClocks.get(timeZone);
    if (!clock) {
      clock = new Intl.DateTimeFormat('en-US', { timeZone, hourCycle: 'h23', year: 'numeric', month: 'numeric', day: 'numeric', hour: 'numeric', minute: 'numeric', second: 'numeric' });
      zoneClocks.set(timeZone, clock);
    }
    const start = quarter * QUARTER_HOUR_MS;
    const p: Record<string, number> = {};
    for (const { type, value } of clock.formatToParts(start)) if (type !== 'literal') p[type] = Number(value);
    offset = Date.UTC(p.year!, p.month! - 1, p.day!, p.hour!, p.minute!, p.second!) - start;
    if (zoneOffsets.size >= 20_000) zoneOffsets.clear();
    zoneOffsets.set(key, offset);
  }
  return offset;
}

/** Whether a name is a time zone ICU knows (`Europe/Rome`, `UTC`); an IANA name's case is not checked. */
export function isTimeZone(name: string): boolean {
  try {
    new Intl.DateTimeFormat('en-US', { timeZone: name });
    return true;
  } catch {
    return false;
  }
}
