/**
 * A table that stays fast at 100,000 rows: only the rows in view (and a few either side) are in
 * the document, between two spacer rows; every row has the same height. Rows are keyboard
 * reachable (each is a button-like row: Enter or Space opens it) and carry aria-rowindex.
 */
import type { ComponentChildren } from 'preact';
import { useLayoutEffect, useRef, useState } from 'preact/hooks';

const ROW_HEIGHT = 32;
/**
 * Rows rendered beyond the view on each side. The window of rendered rows moves only when the
 * view nears its edge: in between, scrolling changes nothing in the document and the browser
 * only moves pixels it already has (the expensive part of a frame is painting, not rendering).
 */
const PAD = 40;

/** `narrow: false` leaves the column out on a phone-sized screen (the row's panel still shows it). */
export interface Column<T> { key: string; label: string; render: (row: T) => ComponentChildren; sortable?: boolean; width?: string; narrow?: boolean }

export function VirtualTable<T>({ rows, columns, onOpen, sort, onSort, label, height = 480 }: {
  rows: T[]; columns: Column<T>[]; onOpen: (row: T) => void; sort?: { key: string; dir: 1 | -1 }; onSort?: (key: string) => void; label: string; height?: number;
}) {
  const box = useRef<HTMLDivElement>(null);
  const [start, setStart] = useState(0);
  const [viewport, setViewport] = useState(height);
  const inView = Math.ceil(viewport / ROW_HEIGHT) + 1;
  const onScroll = (e: Event) => {
    const el = e.target as HTMLDivElement;
    const firstVisible = Math.floor(el.scrollTop / ROW_HEIGHT);
    // Move the window only when the view reaches within a quarter of the pad of its edge.
    if (firstVisible < start + PAD / 4 && start > 0 || firstVisible + inView > start + inView + 2 * PAD - PAD / 4) {
      setStart(Math.max(0, firstVisible - PAD));
    }
  };
  // A short list is as tall as its rows (and the header), not a mostly empty box.
  const boxHeight = Math.min(height, (rows.length + 1) * ROW_HEIGHT + 24);
  useLayoutEffect(() => {
    const el = box.current;
    if (!el) return;
    setViewport(el.clientHeight || boxHeight);
  }, [boxHeight]);
  const first = Math.min(start, Math.max(0, rows.length - inView - 2 * PAD));
  const last = Math.min(rows.length, first + inView + 2 * PAD);
  const visible = rows.slice(first, last);
  return (
    <div class="vtable" ref={box} style={{ height: `${boxHeight}px` }} tabIndex={0} role="region" aria-label={`${label}: ${rows.length} rows, scroll to see more`}
      onScroll={onScroll}>
      <table aria-rowcount={rows.length + 1}>
        <caption class="sr-only">{label}</caption>
        <colgroup>{columns.map((c) => <col key={c.key} class={c.narrow === false ? 'wide-only' : undefined} style={c.width ? { width: c.width } : undefined} />)}</colgroup>
        <thead>
          <tr aria-rowindex={1}>
            {columns.map((c) => (
              <th key={c.key} scope="col" aria-sort={sort?.key === c.key ? (sort.dir === 1 ? 'ascending' : 'descending') : undefined}>
                {c.sortable && onSort ? <button type="button" class="th-sort" onClick={() => onSort(c.key)}>{c.label}{sort?.key === c.key ? (sort.dir === 1 ? ' ▲' : ' ▼') : ''}</button> : c.label}
              </th>
            ))}
          </tr>
        </thead>
        <tbody>
          {first > 0 ? <tr class="spacer" aria-hidden="true" style={{ height: `${first * ROW_HEIGHT}px` }}><td colSpan={columns.length} /></tr> : null}
          {/* Keyed by row, not by slot: when the window moves, the rows still in it keep their elements
              (their layout is reused: a third less layout per move than rewriting every slot's text,
              measured with bench/web.mjs), and a focused row stays the row it was. */}
          {visible.map((r, i) => (
            <tr key={first + i} aria-rowindex={first + i + 2} tabIndex={0} class="vrow" style={{ height: `${ROW_HEIGHT}px` }}
              onClick={() => onOpen(r)} onKeyDown={(e) => { if (e.key === 'Enter' || e.key === ' ') { e.preventDefault(); onOpen(r); } }}>
              {columns.map((c) => <td key={c.key}>{c.render(r)}</td>)}
            </tr>
          ))}
          {last < rows.length ? <tr class="spacer" aria-hidden="true" style={{ height: `${(rows.length - last) * ROW_HEIGHT}px` }}><td colSpan={columns.length} /></tr> : null}
        </tbody>
      </table>
    </div>
  );
}
