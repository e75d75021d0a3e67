// svg: the echo benchmark's report as one hand-drawn, standalone SVG 1.1 chart.
//
// Owns: turning a BenchReport into markup — no dependencies, no I/O, no clock, so the
// same report always gives the same bytes. Three panels, each dropped when it has no data:
//   1. echo throughput per configuration, bars relative to c-et (whiskers min..max)
//   2. fairness: the light connections' p99 latency beside one flooding peer
//   3. idle scaling: server CPU µs per message against idle connections (log-log)
// Rules: every piece of report text goes through escapeXml; servers keep one colour in
// every panel; numbers are formatted for reading, not for round-tripping.
import { SERVER_NAMES, type BenchReport, type Summary } from './types.js';

const W = 960;
const L = 72; // left edge of plot areas (room for y tick labels)
const R = W - 72;
const INK = '#222';
const MUTED = '#666';
const GRID = '#e4e4e4';

const COLOURS: Record<string, string> = {
  'reactor-lt': '#a0cbe8',
  'reactor-et': '#4e79a7',
  'reactor-uring': '#9d2f2f',
  'node-net': '#59a14f',
  bun: '#e15759',
  'c-lt': '#ffbe7d',
  'c-et': '#f28e2b',
  'c-poll': '#b07aa1',
  'raw-uring': '#e15759',
  'c-uring': '#ff9d9a',
};
const colourOf = (server: string): string => COLOURS[server] ?? '#9d9d9d';

/** Escapes text for element content and attribute values; drops characters XML 1.0 forbids. */
export function escapeXml(s: string): string {
  return s
    .replace(/[\u0000-\u0008\u000b\u000c\u000e-\u001f\ufffe\uffff]/g, '')
    .replace(/&/g, '&amp;')
    .replace(/</g, '&lt;')
    .replace(/>/g, '&gt;')
    .replace(/"/g, '&quot;')
    .replace(/'/g, '&apos;');
}

const ok = (n: number | null | undefined): n is number => typeof n === 'number' && Number.isFinite(n);
const r1 = (n: number): string => String(Math.round(n * 10) / 10);

/** 1.23M, 45.6k, 789 — for msgs/s. */
function fmtRate(n: number): string {
  if (!ok(n)) return '–';
  const a = Math.abs(n);
  if (a >= 1e9) return `${(n / 1e9).toFixed(2)}G`;
  if (a >= 1e6) return `${(n / 1e6).toFixed(a >= 1e8 ? 0 : a >= 1e7 ? 1 : 2)}M`;
  if (a >= 1e3) return `${(n / 1e3).toFixed(a >= 1e5 ? 0 : a >= 1e4 ? 1 : 2)}k`;
  return n.toFixed(0);
}

/** 12,345 or 3.4 or 0.56 — grouped thousands, locale-independent. */
function fmtNum(n: number): string {
  if (!ok(n)) return '–';
  const a = Math.abs(n);
  if (a < 10) return String(Number(n.toPrecision(2)));
  if (a < 100) return n.toFixed(1).replace(/\.0$/, '');
  return Math.round(n).toString().replace(/\B(?=(\d{3})+(?!\d))/g, ',');
}

const fmtRatio = (n: number): string => `${n.toFixed(2)}×`;
const fmtCount = (n: number): string =>
  n >= 1e6 && n % 1e5 === 0 ? `${n / 1e6}M` : n >= 1e3 && n % 100 === 0 ? `${n / 1e3}k` : String(n);

/** Tick values 0..top with a 1/2/2.5/5 step; top >= max. */
function ticks(max: number, target = 5): number[] {
  const m = ok(max) && max > 0 ? max : 1;
  const raw = m / target;
  const pow = 10 ** Math.floor(Math.log10(raw));
  const f = raw / pow;
  const step = (f <= 1 ? 1 : f <= 2 ? 2 : f <= 2.5 ? 2.5 : f <= 5 ? 5 : 10) * pow;
  const out: number[] = [];
  for (let i = 0; i * step < m + step * 0.999 && i < 50; i++) out.push(Number((i * step).toPrecision(12)));
  return out;
}

/** Server names: SERVER_NAMES order first, then the others alphabetically. */
function order(names: Iterable<string>): string[] {
  const set = new Set(names);
  const known: string[] = SERVER_NAMES.filter((s) => set.has(s));
  return [...known, ...[...set].filter((s) => !known.includes(s)).sort()];
}

/** Splits text into lines of at most `max` characters at spaces (longer words stay whole). */
function wrap(text: string, max: number): string[] {
  const lines: string[] = [];
  for (const word of text.split(/\s+/).filter(Boolean)) {
    const last = lines.length - 1;
    if (last >= 0 && lines[last]!.length + 1 + word.length <= max) lines[last] += ` ${word}`;
    else lines.push(word);
  }
  return lines;
}

type Attrs = Record<string, string | number>;
const attrs = (a: Attrs): string =>
  Object.entries(a).map(([k, v]) => ` ${k}="${typeof v === 'number' ? r1(v) : escapeXml(v)}"`).join('');
const text = (x: number, y: number, s: string, a: Attrs = {}): string =>
  `<text${attrs({ x, y, ...a })}>${escapeXml(s)}</text>`;
const line = (x1: number, y1: number, x2: number, y2: number, a: Attrs = {}): string =>
  `<line${attrs({ x1, y1, x2, y2, stroke: INK, ...a })}/>`;
const rect = (x: number, y: number, w: number, h: number, a: Attrs = {}): string =>
  `<rect${attrs({ x, y, width: Math.max(0, w), height: Math.max(0, h), ...a })}/>`;

/** A panel heading and its one-line note; returns the y below them. */
function heading(out: string[], y: number, title: string, note: string): number {
  out.push(text(L - 48, y + 18, title, { 'font-size': 15, 'font-weight': 'bold', fill: INK }));
  out.push(text(L - 48, y + 36, note, { 'font-size': 11, fill: MUTED }));
  return y + 44;
}

/** One row of colour swatches; returns the y below it. */
function legend(out: string[], y: number, servers: string[]): number {
  let x = L;
  let row = y + 12;
  out.push('<g class="legend">');
  for (const s of servers) {
    const w = 22 + s.length * 7 + 18;
    if (x + w > R) { x = L; row += 18; }
    out.push(rect(x, row - 10, 12, 12, { fill: colourOf(s) }), text(x + 18, row, s, { 'font-size': 12, fill: INK }));
    x += w;
  }
  out.push('</g>');
  return row + 10;
}

function yAxis(out: string[], top: number, bottom: number, vals: number[], y: (v: number) => number, title: string): void {
  for (const v of vals) {
    out.push(line(L, y(v), R, y(v), { stroke: GRID }));
    out.push(text(L - 6, y(v) + 4, fmtNum(v), { 'font-size': 11, fill: MUTED, 'text-anchor': 'end' }));
  }
  out.push(line(L, top, L, bottom, { stroke: '#999' }));
  const mid = (top + bottom) / 2;
  out.push(text(L - 50, mid, title, { 'font-size': 11, fill: MUTED, 'text-anchor': 'middle', transform: `rotate(-90 ${L - 50} ${r1(mid)})` }));
}

function throughputPanel(out: string[], report: BenchReport, y0: number): number {
  const byKey = new Map<string, Summary>();
  for (const s of report.summaries ?? []) if (!byKey.has(`${s.config}\n${s.server}`)) byKey.set(`${s.config}\n${s.server}`, s);
  const groups = (report.configs ?? [])
    .filter((c) => c.name !== 'fairness' && !c.name.startsWith('idle'))
    .map((c) => ({ c, sums: (report.summaries ?? []).filter((s) => s.config === c.name && s.msgsPerSec && ok(s.ratioToCEt)) }))
    .filter((g) => g.sums.length > 0);
  if (groups.length === 0) return y0;
  const servers = SERVER_NAMES.filter((s) => groups.some((g) => g.sums.some((x) => x.server === s)));
  if (servers.length === 0) return y0;

  let y = heading(out, y0, 'Echo throughput, relative to c-et',
    'Bar = median msgs/s ÷ c-et’s median in the same configuration (higher is better); c-et’s absolute median is under each group. ' +
      'A pale bar marked * was client-bound (the load generator, not the server, was saturated).');
  y = legend(out, y, servers);
  const groupW = (R - L) / groups.length;
  const barW = Math.min(34, (groupW * 0.8) / servers.length);
  const rotate = barW < 30; // ratio labels stand on end above narrow bars
  const top = y + (rotate ? 40 : 20);
  const bottom = top + 240;
  const cEtMedian = (name: string, sums: Summary[]): number | null => {
    const own = byKey.get(`${name}\nc-et`)?.msgsPerSec?.median;
    if (ok(own) && own > 0) return own;
    const any = sums.find((s) => ok(s.ratioToCEt) && s.ratioToCEt > 0 && ok(s.msgsPerSec.median));
    return any ? any.msgsPerSec.median / any.ratioToCEt! : null;
  };
  let maxV = 1;
  for (const g of groups) {
    const base = cEtMedian(g.c.name, g.sums);
    for (const s of g.sums) maxV = Math.max(maxV, s.ratioToCEt!, base && ok(s.msgsPerSec.max / base) ? s.msgsPerSec.max / base : 0);
  }
  const vals = ticks(maxV * 1.08);
  const yMax = vals[vals.length - 1]!;
  const yOf = (v: number): number => bottom - (Math.max(0, Math.min(v, yMax)) / yMax) * (bottom - top);
  yAxis(out, top, bottom, vals, yOf, '× c-et median msgs/s');

  const maxChars = Math.max(4, Math.floor((groupW * 0.9) / 6.8));
  let labelLines = 0;
  groups.forEach((g, gi) => {
    const x0 = L + gi * groupW + (groupW - barW * servers.length) / 2;
    const base = cEtMedian(g.c.name, g.sums);
    servers.forEach((server, si) => {
      const s = g.sums.find((x) => x.server === server);
      if (!s) return;
      const ratio = s.ratioToCEt!;
      const x = x0 + si * barW;
      const cx = x + barW / 2;
      const bound = s.clientBound === true; // drawn pale: this bar measures the client
      out.push(`<g>${rect(x + 1, yOf(ratio), barW - 2, bottom - yOf(ratio), { fill: colourOf(server), ...(bound && { 'fill-opacity': 0.35 }) })}` +
        `<title>${escapeXml(`${g.c.name} ${server}: ${fmtRate(s.msgsPerSec.median)} msgs/s (${fmtRatio(ratio)} c-et), ` +
          `min ${fmtRate(s.msgsPerSec.min)}, max ${fmtRate(s.msgsPerSec.max)}${bound ? ', client-bound' : ''}`)}</title></g>`);
      let labelY = yOf(ratio);
      if (base && ok(s.msgsPerSec.min / base) && ok(s.msgsPerSec.max / base)) {
        const lo = yOf(s.msgsPerSec.min / base);
        const hi = yOf(s.msgsPerSec.max / base);
        const cap = Math.max(2, barW * 0.2);
        out.push(line(cx, lo, cx, hi, { 'stroke-width': 1 }), line(cx - cap, hi, cx + cap, hi), line(cx - cap, lo, cx + cap, lo));
        labelY = Math.min(labelY, hi);
      }
      const label = `${fmtRatio(ratio)}${bound ? '*' : ''}`;
      out.push(rotate
        ? text(cx + 3.5, labelY - 4, label, { 'font-size': 10, fill: INK, transform: `rotate(-90 ${r1(cx + 3.5)} ${r1(labelY - 4)})` })
        : text(cx, labelY - 4, label, { 'font-size': 10, fill: INK, 'text-anchor': 'middle' }));
    });
    const gx = L + gi * groupW + groupW / 2;
    const lines = wrap(g.c.label ?? '', maxChars);
    out.push(text(gx, bottom + 16, g.c.name, { 'font-size': 12, 'font-weight': 'bold', fill: INK, 'text-anchor': 'middle' }));
    lines.forEach((ln, i) => out.push(text(gx, bottom + 30 + i * 13, ln, { 'font-size': 11, fill: INK, 'text-anchor': 'middle' })));
    if (base) out.push(text(gx, bottom + 30 + lines.length * 13, `c-et ${fmtRate(base)}/s`, { 'font-size': 10, fill: MUTED, 'text-anchor': 'middle' }));
    labelLines = Math.max(labelLines, lines.length + 1);
  });
  out.push(line(L, yOf(1), R, yOf(1), { stroke: '#c0392b', 'stroke-dasharray': '5,4', 'stroke-width': 1.2 }));
  out.push(text(R + 4, yOf(1) + 4, 'c-et = 1', { 'font-size': 10, fill: '#c0392b' }));
  out.push(line(L, bottom, R, bottom, { stroke: '#999' }));
  return bottom + 22 + labelLines * 13 + 24;
}

function fairnessPanel(out: string[], report: BenchReport, y0: number): number {
  const byServer = new Map<string, number>();
  for (const s of report.summaries ?? []) {
    if (s.config === 'fairness' && s.light && ok(s.light.p99Us) && !byServer.has(s.server)) byServer.set(s.server, s.light.p99Us);
  }
  if (byServer.size === 0) return y0;
  const servers = order(byServer.keys());
  let y = heading(out, y0, 'Fairness: light connections’ p99 latency (µs), one flooding peer beside 100 light ones',
    'Lower is better: a fair server keeps serving the light connections while one peer floods it.');
  const x0 = L + 70;
  const x1 = R - 70;
  const vals = ticks(Math.max(...byServer.values()) * 1.02);
  const xMax = vals[vals.length - 1]!;
  const xOf = (v: number): number => x0 + (Math.max(0, v) / xMax) * (x1 - x0);
  const rowsTop = y + 8;
  const rowsBottom = rowsTop + servers.length * 24;
  for (const v of vals) {
    out.push(line(xOf(v), rowsTop, xOf(v), rowsBottom, { stroke: GRID }));
    out.push(text(xOf(v), rowsBottom + 14, fmtNum(v), { 'font-size': 11, fill: MUTED, 'text-anchor': 'middle' }));
  }
  servers.forEach((server, i) => {
    const v = byServer.get(server)!;
    const ry = rowsTop + i * 24 + 4;
    out.push(text(x0 - 8, ry + 12, server, { 'font-size': 12, fill: INK, 'text-anchor': 'end' }));
    out.push(rect(x0, ry, xOf(v) - x0, 16, { fill: colourOf(server) }));
    out.push(text(xOf(v) + 6, ry + 12, `${fmtNum(v)} µs`, { 'font-size': 11, fill: INK }));
  });
  out.push(line(x0, rowsTop, x0, rowsBottom, { stroke: '#999' }));
  out.push(text((x0 + x1) / 2, rowsBottom + 30, 'light connections’ p99 latency, µs', { 'font-size': 11, fill: MUTED, 'text-anchor': 'middle' }));
  return rowsBottom + 54;
}

function idlePanel(out: string[], report: BenchReport, y0: number): number {
  const pts = (report.idle ?? []).filter((p) => ok(p.idle) && ok(p.cpuUsPerMsg));
  if (pts.length === 0) return y0;
  const servers = order(pts.map((p) => p.server));
  let y = heading(out, y0, 'Idle scaling: server CPU µs per message vs idle connections',
    'One active ping-pong connection beside N idle ones; lower and flatter is better (both axes logarithmic).');
  y = legend(out, y, servers);
  const top = y + 24;
  const bottom = top + 220;
  const positive = pts.map((p) => p.idle).filter((n) => n > 0);
  const floor = positive.length ? Math.log10(Math.min(...positive)) - 1 : 0;
  const lx = (n: number): number => (n > 0 ? Math.log10(n) : floor);
  const xs = pts.map((p) => lx(p.idle));
  let lo = Math.min(...xs);
  let hi = Math.max(...xs);
  if (hi - lo < 1e-9) { lo -= 0.5; hi += 0.5; }
  const pad = (hi - lo) * 0.04;
  const xOf = (n: number): number => L + ((lx(n) - lo + pad) / (hi - lo + 2 * pad)) * (R - L);
  // Log y as well: epoll's flat line and poll's linear growth differ by 100x.
  const cpu = pts.map((p) => Math.max(p.cpuUsPerMsg!, 1e-3));
  const yLo = Math.floor(Math.log10(Math.min(...cpu)));
  const yHi = Math.max(Math.ceil(Math.log10(Math.max(...cpu))), yLo + 1);
  const vals = Array.from({ length: yHi - yLo + 1 }, (_, i) => 10 ** (yLo + i));
  const yOf = (v: number): number => bottom - ((Math.log10(Math.max(v, 10 ** yLo)) - yLo) / (yHi - yLo)) * (bottom - top);
  yAxis(out, top, bottom, vals, yOf, 'server CPU µs / message (log)');
  let lastX = -Infinity;
  for (const n of [...new Set(pts.map((p) => p.idle))].sort((a, b) => a - b)) {
    if (xOf(n) - lastX < 34) continue;
    lastX = xOf(n);
    out.push(line(xOf(n), bottom, xOf(n), bottom + 4, { stroke: '#999' }));
    out.push(text(xOf(n), bottom + 16, fmtCount(n), { 'font-size': 11, fill: MUTED, 'text-anchor': 'middle' }));
  }
  out.push(line(L, bottom, R, bottom, { stroke: '#999' }));
  for (const server of servers) {
    const mine = pts.filter((p) => p.server === server).sort((a, b) => a.idle - b.idle);
    const c = colourOf(server);
    const d = mine.map((p, i) => `${i ? 'L' : 'M'}${r1(xOf(p.idle))} ${r1(yOf(p.cpuUsPerMsg!))}`).join(' ');
    if (mine.length > 1) out.push(`<path${attrs({ d, fill: 'none', stroke: c, 'stroke-width': 2 })}/>`);
    for (const p of mine) {
      out.push(`<circle${attrs({ cx: xOf(p.idle), cy: yOf(p.cpuUsPerMsg!), r: 3.5, fill: c, stroke: '#fff', 'stroke-width': 1 })}>` +
        `<title>${escapeXml(`${server}, ${p.idle} idle: ${fmtNum(p.cpuUsPerMsg!)} µs/msg, ${fmtRate(p.msgsPerSec)} msgs/s`)}</title></circle>`);
    }
  }
  const zero = pts.some((p) => p.idle <= 0) ? '; 0 is drawn one decade left of the smallest count' : '';
  out.push(text((L + R) / 2, bottom + 32, `idle connections (log scale${zero})`, { 'font-size': 11, fill: MUTED, 'text-anchor': 'middle' }));
  return bottom + 52;
}

/** The whole report as a standalone SVG document. */
export function renderSvg(report: BenchReport): string {
  const body: string[] = [];
  const h = report.host ?? { cpus: '?', cores: 0, kernel: '?', node: '?', pinned: false };
  const m = report.method ?? { repeats: 0, warmupSec: 0, durationSec: 0, quick: false };
  body.push(text(L - 48, 30, 'epoll-reactor echo benchmark', { 'font-size': 20, 'font-weight': 'bold', fill: INK }));
  const node = String(h.node ?? '?');
  body.push(text(L - 48, 50, [String(h.cpus ?? '?').slice(0, 80), `${h.cores} cores`, `Linux ${h.kernel}`,
    `Node ${node.startsWith('v') ? node : `v${node}`}`, h.pinned ? 'pinned to cores' : 'not pinned'].join(' · '), { 'font-size': 12, fill: MUTED }));
  body.push(text(L - 48, 66, [`${m.repeats} repeats × ${m.durationSec} s (warm-up ${m.warmupSec} s)${m.quick ? ', quick' : ''}`,
    `median of ${m.repeats}; whiskers min..max`, report.startedAt ? `started ${report.startedAt}` : ''].filter(Boolean).join(' · '),
    { 'font-size': 12, fill: MUTED }));
  let y = 84;
  for (const panel of [throughputPanel, fairnessPanel, idlePanel]) {
    const next = panel(body, report, y);
    if (next > y) y = next + 16;
  }
  if (y === 84) { body.push(text(L - 48, 110, 'No results to chart.', { 'font-size': 13, fill: MUTED })); y = 130; }
  const height = Math.ceil(y);
  return `<svg xmlns="http://www.w3.org/2000/svg" version="1.1" width="${W}" height="${height}" viewBox="0 0 ${W} ${height}"` +
    ` font-family="sans-serif">\n${rect(0, 0, W, height, { fill: '#fff' })}\n${body.join('\n')}\n</svg>\n`;
}
