import { useMemo } from 'preact/hooks';
import { time } from '../format.ts';
import { navigate } from '../router.ts';
import { DAY_MS, HOUR_MS, conflictingIds, type CalendarView, type Change, type FreezeWindow } from './changes-model.tsx';

/**
 * The week as a picture: seven UTC day columns of 24 hours, freeze windows shaded behind, changes
 * as blocks (conflicting ones outlined and labelled "conflict"). Drawn as SVG (attributes only,
 * no inline styles); the page lists the same changes as text, with links, below it.
 */

const LEFT = 48;
const TOP = 34;
const DAY_W = 150;
const HOUR_H = 22;
const WIDTH = LEFT + 7 * DAY_W + 2;
const HEIGHT = TOP + 24 * HOUR_H + 2;
const MIN_BLOCK_H = 13;
const DAY_NAMES = ['Mon', 'Tue', 'Wed', 'Thu', 'Fri', 'Sat', 'Sun'];
const MONTHS = ['Jan', 'Feb', 'Mar', 'Apr', 'May', 'Jun', 'Jul', 'Aug', 'Sep', 'Oct', 'Nov', 'Dec'];

interface Segment<T> {
  item: T;
  day: number;
  start: number;
  end: number;
}

/** The parts of [start, end) on each day of the week starting at `week`. */
function segments<T>(item: T, startIso: string, endIso: string, week: number): Array<Segment<T>> {
  const start = Date.parse(startIso);
  const end = Date.parse(endIso);
  if (Number.isNaN(start) || Number.isNaN(end) || end <= start) return [];
  const out: Array<Segment<T>> = [];
  for (let day = 0; day < 7; day++) {
    const dayStart = week + day * DAY_MS;
    const s = Math.max(start, dayStart);
    const e = Math.min(end, dayStart + DAY_MS);
    if (e > s) out.push({ item, day, start: s, end: e });
  }
  return out;
}

const yOf = (ms: number, dayStart: number) => TOP + ((ms - dayStart) / HOUR_MS) * HOUR_H;

/** Side-by-side lanes for changes that overlap on a day: each segment's lane and its group's lane count. */
function lanes(segs: Array<Segment<Change>>): Map<Segment<Change>, { lane: number; of: number }> {
  const out = new Map<Segment<Change>, { lane: number; of: number }>();
  const sorted = [...segs].sort((a, b) => a.start - b.start || b.end - a.end);
  let group: Array<Segment<Change>> = [];
  let groupEnd = -Infinity;
  let laneEnds: number[] = [];
  const close = () => {
    const of = Math.max(1, laneEnds.length);
    for (const seg of group) out.get(seg)!.of = of;
    group = [];
    laneEnds = [];
  };
  for (const seg of sorted) {
    // Blocks are at least MIN_BLOCK_H tall: count that in when deciding what overlaps.
    const visualEnd = Math.max(seg.end, seg.start + (MIN_BLOCK_H / HOUR_H) * HOUR_MS);
    if (seg.start >= groupEnd) {
      close();
      groupEnd = -Infinity;
    }
    let lane = laneEnds.findIndex((end) => end <= seg.start);
    if (lane < 0) lane = laneEnds.push(visualEnd) - 1;
    else laneEnds[lane] = visualEnd;
    out.set(seg, { lane, of: 1 });
    group.push(seg);
    groupEnd = Math.max(groupEnd, visualEnd);
  }
  close();
  return out;
}

function dayLabel(ms: number): string {
  const d = new Date(ms);
  return `${DAY_NAMES[(d.getUTCDay() + 6) % 7]} ${d.getUTCDate()} ${MONTHS[d.getUTCMonth()]}`;
}

export function summarise(view: CalendarView, week: number, conflicts: Set<string>): string {
  const inWeek = view.changes.length;
  const policies = [...new Set(view.freezes.map((f) => f.policy))];
  const parts = [
    `Week of ${new Date(week).toISOString().slice(0, 10)} (UTC)`,
    `${inWeek} change${inWeek === 1 ? '' : 's'}`,
    `${conflicts.size} in conflict`,
    view.freezes.length ? `${view.freezes.length} freeze window${view.freezes.length === 1 ? '' : 's'} (${policies.join(', ')})` : 'no freeze window',
  ];
  return `${parts.join('; ')}. The same changes are listed as text below.`;
}

export function WeekCalendar({ view, week, now = Date.now() }: { view: CalendarView; week: number; now?: number }) {
  const conflicts = useMemo(() => conflictingIds(view), [view]);
  const freezeSegs = useMemo(() => view.freezes.flatMap((f) => segments<FreezeWindow>(f, f.start, f.end, week)), [view, week]);
  const changeSegs = useMemo(() => view.changes.flatMap((c) => segments<Change>(c, c.window.start, c.window.end, week)), [view, week]);
  const layout = useMemo(() => {
    const byDay = new Map<number, Array<Segment<Change>>>();
    for (const seg of changeSegs) byDay.set(seg.day, [...(byDay.get(seg.day) ?? []), seg]);
    const all = new Map<Segment<Change>, { lane: number; of: number }>();
    for (const segs of byDay.values()) for (const [seg, at] of lanes(segs)) all.set(seg, at);
    return all;
  }, [changeSegs]);
  const today = Math.floor(now / DAY_MS) * DAY_MS;
  const nowInWeek = now >= week && now < week + 7 * DAY_MS;

  return (
    <svg class="week-calendar" viewBox={`0 0 ${WIDTH} ${HEIGHT}`} width="100%" role="img" aria-label={summarise(view, week, conflicts)} preserveAspectRatio="xMinYMin meet">
      {/* Day columns and their headers. */}
      {DAY_NAMES.map((_, day) => {
        const x = LEFT + day * DAY_W;
        const dayStart = week + day * DAY_MS;
        return (
          <g key={`d${day}`} class={dayStart === today ? 'day today' : day >= 5 ? 'day weekend' : 'day'}>
            <rect class="day-bg" x={x} y={TOP} width={DAY_W} height={24 * HOUR_H} />
            <text class="day-label" x={x + DAY_W / 2} y={TOP - 12} text-anchor="middle">
              {dayLabel(dayStart)}
            </text>
          </g>
        );
      })}
      {/* Hour lines. */}
      {Array.from({ length: 25 }, (_, hour) => (
        <g key={`h${hour}`}>
          <line class={hour % 6 === 0 ? 'hour-line major' : 'hour-line'} x1={LEFT} x2={LEFT + 7 * DAY_W} y1={TOP + hour * HOUR_H} y2={TOP + hour * HOUR_H} />
          {hour % 2 === 0 && hour < 24 && (
            <text class="hour-label" x={LEFT - 6} y={TOP + hour * HOUR_H + 4} text-anchor="end">
              {`${String(hour).padStart(2, '0')}:00`}
            </text>
          )}
        </g>
      ))}
      {Array.from({ length: 8 }, (_, day) => (
        <line key={`v${day}`} class="day-line" x1={LEFT + day * DAY_W} x2={LEFT + day * DAY_W} y1={TOP} y2={TOP + 24 * HOUR_H} />
      ))}

      {/* Freeze windows, behind the changes. */}
      {freezeSegs.map((seg, i) => {
        const dayStart = week + seg.day * DAY_MS;
        const y = yOf(seg.start, dayStart);
        const h = Math.max(2, yOf(seg.end, dayStart) - y);
        const f = seg.item;
        return (
          <g key={`f${i}`} class={`freeze freeze-${f.action}`} data-policy={f.policy}>
            <title>{`Freeze: ${f.policy} (${f.action.replace('_', ' ')}) ${time(f.start)} – ${time(f.end)}`}</title>
            <rect x={LEFT + seg.day * DAY_W + 1} y={y} width={DAY_W - 2} height={h} />
            {h >= 12 && (
              <text class="freeze-label" x={LEFT + (seg.day + 1) * DAY_W - 4} y={y + 10} text-anchor="end">
                {f.policy}
              </text>
            )}
          </g>
        );
      })}

      {/* Changes. */}
      {changeSegs.map((seg, i) => {
        const dayStart = week + seg.day * DAY_MS;
        const at = layout.get(seg) ?? { lane: 0, of: 1 };
        const inner = DAY_W - 6;
        const w = inner / at.of;
        const x = LEFT + seg.day * DAY_W + 3 + at.lane * w;
        const y = yOf(seg.start, dayStart);
        const h = Math.max(MIN_BLOCK_H, yOf(seg.end, dayStart) - y);
        const c = seg.item;
        const conflict = conflicts.has(c.id);
        const open = () => navigate(`/changes/${encodeURIComponent(c.id)}`);
        // Under the id, as many lines as fit: the conflict mark first, then the title, then status and type.
        const lines = [
          ...(conflict ? [{ cls: 'conflict-mark', text: '⚠ conflict' }] : []),
          { cls: 'change-title', text: c.title },
          { cls: 'change-meta', text: `${c.status.replace('_', ' ')} · ${c.type}` },
        ].slice(0, Math.max(0, Math.floor((h - 13) / 11)));
        return (
          <g key={`c${i}`} class={`change status-${c.status}${conflict ? ' conflict' : ''}`} data-change={c.id} onClick={open}>
            <title>{`${c.id} ${c.title} — ${c.status.replace('_', ' ')}, ${c.type}, ${time(c.window.start)} – ${time(c.window.end)}${conflict ? ' — conflict' : ''}`}</title>
            <svg x={x} y={y} width={Math.max(4, w - 2)} height={h}>
              <rect class="change-box" x={0.5} y={0.5} width={Math.max(3, w - 3)} height={h - 1} rx={3} />
              <text class="change-id" x={4} y={10}>
                {c.id}
                {conflict && lines.length === 0 && <tspan class="conflict-mark"> ⚠ conflict</tspan>}
              </text>
              {lines.map((line, k) => (
                <text key={k} class={line.cls} x={4} y={21 + k * 11}>
                  {line.text}
                </text>
              ))}
            </svg>
          </g>
        );
      })}

      {nowInWeek && (
        <line
          class="now-line"
          x1={LEFT + Math.floor((now - week) / DAY_MS) * DAY_W}
          x2={LEFT + (Math.floor((now - week) / DAY_MS) + 1) * DAY_W}
          y1={yOf(now, today)}
          y2={yOf(now, today)}
        />
      )}
    </svg>
  );
}
