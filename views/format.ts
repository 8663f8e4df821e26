/** Small formatting helpers shared by the views: times, relative times, user agents. Pure. */

/** "2026-12-04 19:48 UTC" — one unambiguous format everywhere (the appliance runs in UTC). */
export function when(d: Date | string | null | undefined): string {
  if (!d) return "—";
  const date = typeof d === "string" ? new Date(d) : d;
  if (Number.isNaN(date.getTime())) return "—";
  return date.toISOString().slice(0, 16).replace("T", " ") + " UTC";
}

/** "in 3 days", "5 min ago": coarse, for scanning a table. */
export function relative(d: Date | null | undefined, now: Date): string {
  if (!d) return "never";
  const ms = d.getTime() - now.getTime();
  const abs = Math.abs(ms);
  const units: [number, string][] = [
    [86_400_000, "day"],
    [3_600_000, "hour"],
    [60_000, "min"],
  ];
  let text = "just now";
  for (const [size, name] of units) {
    if (abs >= size) {
      const n = Math.floor(abs / size);
      text = `${n} ${name}${n === 1 || name === "min" ? "" : "s"}`;
      break;
    }
  }
  if (text === "just now") return text;
  return ms >= 0 ? `in ${text}` : `${text} ago`;
}

/** A readable browser name from a user agent string ("Chrome on Linux"), else the raw start. */
export function browserOf(ua: string | null | undefined): string {
  if (!ua) return "unknown client";
  const browser = /Edg\//.test(ua)
    ? "Edge"
    : /Firefox\//.test(ua)
      ? "Firefox"
      : /Chrom(e|ium)\//.test(ua)
        ? "Chrome"
        : /Safari\//.test(ua)
          ? "Safari"
          : null;
  const os = /iPhone|iPad/.test(ua)
    ? "iOS"
    : /Windows/.test(ua)
      ? "Windows"
      : /Mac OS X|Macintosh/.test(ua)
        ? "macOS"
        : /Android/.test(ua)
          ? "Android"
          : /Linux/.test(ua)
            ? "Linux"
            : null;
  if (browser) return os ? `${browser} on ${os}` : browser;
  return ua.slice(0, 60);
}
