import { RangeNotSatisfiableError } from '../errors/api-errors.js';

/** A list field clients may page by, e.g. `id`, `name` or `version`. */
export interface RangeField {
  name: string;
  /** The Prisma field it sorts and filters on. */
  column: string;
  numeric?: boolean;
}

/** A parsed `Range: <field> [[]start]..[end][; max=N[, order=asc|desc]]` header. */
export interface ListRange {
  field: RangeField;
  start?: string | number;
  startExclusive: boolean;
  end?: string | number;
  max: number;
  order: 'asc' | 'desc';
}

export const DEFAULT_PAGE_SIZE = 200;
export const MAX_PAGE_SIZE = 1000;

export function parseRange(
  header: string | undefined,
  fields: readonly RangeField[],
  defaults: { order?: 'asc' | 'desc' } = {},
): ListRange {
  const range: ListRange = {
    field: fields[0],
    startExclusive: false,
    max: DEFAULT_PAGE_SIZE,
    order: defaults.order ?? 'asc',
  };
  if (!header || !header.trim()) return range;

  const [spec, options = ''] = header.split(';', 2);
  const match =
    /^\s*([a-z_]+)\s*(\]?)([^.\s]*)\.\.([^\s]*)\s*$/.exec(spec) ?? /^\s*([a-z_]+)\s*$/.exec(spec);
  if (!match) throw invalid(header);

  const field = fields.find((candidate) => candidate.name === match[1]);
  if (!field) {
    throw new RangeNotSatisfiableError(
      `Range can only be by ${fields.map((f) => f.name).join(' or ')}, got "${match[1]}".`,
    );
  }
  range.field = field;
  range.startExclusive = match[2] === ']';
  if (match[3]) range.start = boundary(field, match[3], header);
  if (match[4]) range.end = boundary(field, match[4], header);

  for (const option of options
    .split(',')
    .map((part) => part.trim())
    .filter(Boolean)) {
    const [key, value] = option.split('=', 2).map((part) => part?.trim());
    if (key === 'max') {
      const max = Number(value);
      if (!Number.isInteger(max) || max < 1) throw invalid(header);
      range.max = Math.min(max, MAX_PAGE_SIZE);
    } else if (key === 'order') {
      if (value !== 'asc' && value !== 'desc') throw invalid(header);
      range.order = value;
    } else {
      throw invalid(header);
    }
  }
  return range;
}

/** Prisma `where`/`orderBy`/`take` for a range; `take` asks for one extra row to know if more remain. */
export function rangeQuery(range: ListRange): {
  where: Record<string, Record<string, string | number>>;
  orderBy: Record<string, 'asc' | 'desc'>[];
  take: number;
} {
  const ascending = range.order === 'asc';
  const bounds: Record<string, string | number> = {};
  if (range.start !== undefined) {
    const op = ascending ? 'gt' : 'lt';
    bounds[range.startExclusive ? op : `${op}e`] = range.start;
  }
  if (range.end !== undefined) bounds[ascending ? 'lte' : 'gte'] = range.end;
  const column = range.field.column;
  return {
    where: Object.keys(bounds).length ? { [column]: bounds } : {},
    // The id tie-breaker keeps pages stable when the range field is not unique.
    orderBy:
      column === 'id' ? [{ id: range.order }] : [{ [column]: range.order }, { id: range.order }],
    take: range.max + 1,
  };
}

/** One page of a list; the PageInterceptor sends it as 200, or 206 with `Next-Range`. */
export class Page<T> {
  constructor(
    readonly items: T[],
    /** The `Next-Range` header value when more items remain. */
    readonly nextRange?: string,
  ) {}
}

/** Cuts the extra row `rangeQuery` fetched and, if it was there, says where to go on. */
export function toPage<Row, T>(rows: Row[], range: ListRange, map: (row: Row) => T): Page<T> {
  const hasMore = rows.length > range.max;
  const pageRows = hasMore ? rows.slice(0, range.max) : rows;
  if (!hasMore) return new Page(pageRows.map(map));
  const last = (pageRows[pageRows.length - 1] as Record<string, unknown>)[range.field.column];
  return new Page(
    pageRows.map(map),
    `${range.field.name} ]${String(last)}..; max=${range.max}, order=${range.order}`,
  );
}

function boundary(field: RangeField, raw: string, header: string): string | number {
  if (!field.numeric) return decodeURIComponent(raw);
  const value = Number(raw);
  if (!Number.isInteger(value)) throw invalid(header);
  return value;
}

function invalid(header: string): RangeNotSatisfiableError {
  return new RangeNotSatisfiableError(
    `Invalid Range header "${header}". Expected e.g. "id ..; max=200" or "name ]my-app..; max=10, order=desc".`,
  );
}
