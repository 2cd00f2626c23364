/**
 * A table that stays fast at 100,000 rows: only the rows in view (and a few either side) are in
 * the document, between two spacer rows; every row has the same height. Rows are keyboard
 * reachable (each is a button-like row: Enter or Space opens it) and carry aria-rowindex.
 */
import type { ComponentChildren } from 'preact';
import { useLayoutEffect, useRef, useState } from 'preact/hooks';

const ROW_HEIGHT = 32;
const OVERSCAN = 10;

export interface Column<T> { key: string; label: string; render: (row: T) => ComponentChildren; sortable?: boolean; width?: string }

export function VirtualTable<T>({ rows, columns, onOpen, sort, onSort, label, height = 480 }: {
  rows: T[]; columns: Column<T>[]; onOpen: (row: T) => void; sort?: { key: string; dir: 1 | -1 }; onSort?: (key: string) => void; label: string; height?: number;
}) {
  const box = useRef<HTMLDivElement>(null);
  const [top, setTop] = useState(0);
  const [viewport, setViewport] = useState(height);
  useLayoutEffect(() => {
    const el = box.current;
    if (!el) return;
    setViewport(el.clientHeight || height);
  }, [height]);
  const first = Math.max(0, Math.floor(top / ROW_HEIGHT) - OVERSCAN);
  const last = Math.min(rows.length, Math.ceil((top + viewport) / ROW_HEIGHT) + OVERSCAN);
  const visible = rows.slice(first, last);
  return (
    <div class="vtable" ref={box} style={{ height: `${height}px` }} tabIndex={0} role="region" aria-label={`${label}: ${rows.length} rows, scroll to see more`}
      onScroll={(e) => setTop((e.target as HTMLDivElement).scrollTop)}>
      <table aria-rowcount={rows.length + 1}>
        <caption class="sr-only">{label}</caption>
        <colgroup>{columns.map((c) => <col key={c.key} style={c.width ? { width: c.width } : undefined} />)}</colgroup>
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
