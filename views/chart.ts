/**
 * Server-rendered SVG charts (no JS library; colours come from classes in app.css, never inline
 * styles). The chart carries a text summary for screen readers.
 */
import { html, join, type SafeHtml } from "./html.ts";

export type Outcome = "ok" | "denied" | "failed";
export const OUTCOMES: Outcome[] = ["ok", "denied", "failed"];

export interface HourCounts {
  hour: Date;
  ok: number;
  denied: number;
  failed: number;
}

/** 24 hourly buckets ending with the current hour, zero-filled. */
export function last24Hours(rows: { hour: Date; status: Outcome; n: number }[], now: Date): HourCounts[] {
  const end = new Date(now);
  end.setUTCMinutes(0, 0, 0);
  const buckets: HourCounts[] = [];
  for (let i = 23; i >= 0; i--)
    buckets.push({ hour: new Date(end.getTime() - i * 3_600_000), ok: 0, denied: 0, failed: 0 });
  const byTime = new Map(buckets.map((b) => [b.hour.getTime(), b]));
  for (const r of rows) {
    const b = byTime.get(new Date(r.hour).getTime());
    if (b) b[r.status] += r.n;
  }
  return buckets;
}

/** A round upper bound for the y axis: 1, 2, 5 × 10^n. */
function niceMax(n: number): number {
  if (n <= 4) return 4;
  const p = 10 ** Math.floor(Math.log10(n));
  for (const m of [1, 2, 5, 10]) if (m * p >= n) return m * p;
  return 10 * p;
}

export function callsChart(buckets: HourCounts[]): SafeHtml {
  const W = 600,
    H = 220,
    left = 36,
    bottom = 24,
    top = 10,
    right = 8;
  const plotW = W - left - right,
    plotH = H - top - bottom;
  const totals = buckets.map((b) => b.ok + b.denied + b.failed);
  const max = niceMax(Math.max(0, ...totals));
  const slot = plotW / buckets.length;
  const barW = Math.max(2, slot * 0.7);
  const y = (v: number) => top + plotH - (v / max) * plotH;
  const sum = (k: Outcome) => buckets.reduce((a, b) => a + b[k], 0);
  const summary = `MCP calls per hour over the last 24 hours: ${sum("ok")} succeeded, ${sum("denied")} refused, ${sum("failed")} failed; busiest hour ${Math.max(0, ...totals)} calls.`;
  const grid = [0, max / 2, max].map(
    (v) =>
      html`<line class="axis" x1="${left}" x2="${W - right}" y1="${y(v).toFixed(1)}" y2="${y(v).toFixed(1)}"></line><text x="${left - 6}" y="${(y(v) + 4).toFixed(1)}" text-anchor="end">${v}</text>`,
  );
  const bars = buckets.map((b, i) => {
    const x = left + i * slot + (slot - barW) / 2;
    let acc = 0;
    const parts = OUTCOMES.filter((k) => b[k] > 0).map((k) => {
      const y0 = y(acc),
        y1 = y(acc + b[k]);
      acc += b[k];
      return html`<rect class="${k}" x="${x.toFixed(1)}" y="${y1.toFixed(1)}" width="${barW.toFixed(1)}" height="${Math.max(0.5, y0 - y1).toFixed(1)}"><title>${b.hour.toISOString().slice(11, 16)} UTC: ${b[k]} ${k}</title></rect>`;
    });
    const label =
      i % 3 === 0
        ? html`<text x="${(x + barW / 2).toFixed(1)}" y="${H - 6}" text-anchor="middle">${b.hour.toISOString().slice(11, 13)}h</text>`
        : "";
    return html`${join(parts)}${label}`;
  });
  return html`<svg class="chart" viewBox="0 0 ${W} ${H}" role="img" aria-label="${summary}" xmlns="http://www.w3.org/2000/svg">${join(grid)}${join(bars)}</svg>
<p class="legend"><span class="ok">succeeded ${sum("ok")}</span><span class="denied">refused ${sum("denied")}</span><span class="failed">failed ${sum("failed")}</span></p>`;
}
