import { RangeNotSatisfiableError } from '../errors/api-errors.js';
import { isUuid } from './identity.js';

/** A list field clients may page by, e.g. `id`, `name` or `version`. */
export interface RangeField {
  name: string;
  /** The Prisma field it sorts and filters on. */
  column: string;
  /** What its values are: a bound that cannot be one is a 416 before any query. */
  type: 'uuid' | 'integer' | 'string' | 'timestamp';
}

/** A parsed `Range: <field> [[]start]..[end][; max=N[, order=asc|desc]]` header. */
export interface ListRange {
  field: RangeField;
  start?: string | number | Date;
  startExclusive: boolean;
  end?: string | number | Date;
  max: number;
  order: 'asc' | 'desc';
}

export const DEFAULT_PAGE_SIZE = 200;
export const MAX_PAGE_SIZE = 1000;
/** Far longer than any real Range: names are at most 254 characters, 3 times that escaped. */
export const MAX_RANGE_HEADER_LENGTH = 1024;
/** PostgreSQL's integer: a larger bound would not even bind. */
const MAX_INTEGER = 2_147_483_647;

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
  if (header.length > MAX_RANGE_HEADER_LENGTH) {
    throw new RangeNotSatisfiableError(
      `The Range header is longer than ${MAX_RANGE_HEADER_LENGTH} characters.`,
    );
  }

  const [spec, options = ''] = header.split(';', 2);
  // The start ends at the first "..": dyno names such as web.1 have dots of their own.
  const match =
    /^\s*([a-z_]+)\s*(\]?)(\S*?)\.\.(\S*)\s*$/.exec(spec) ?? /^\s*([a-z_]+)\s*$/.exec(spec);
  if (!match) throw invalid(header);

  const field = fields.find((candidate) => candidate.name === match[1]);
  if (!field) {
    throw new RangeNotSatisfiableError(
      `Range can only be by ${fields.map((f) => f.name).join(' or ')}, got "${match[1]}".`,
    );
  }
  range.field = field;
  range.startExclusive = match[2] === ']';
  if (range.startExclusive && !match[3]) throw invalid(header, '"]" needs a value to start after');
  if (match[3]) range.start = boundary(field, match[3], header);
  if (match[4]) range.end = boundary(field, match[4], header);

  for (const option of options
    .split(',')
    .map((part) => part.trim())
    .filter(Boolean)) {
    const [key, value = ''] = option.split('=', 2).map((part) => part.trim());
    if (key === 'max') {
      const max = /^\d+$/.test(value) ? Number(value) : NaN;
      if (!Number.isSafeInteger(max) || max < 1) {
        throw invalid(
          header,
          `max must be a whole number from 1 (at most ${MAX_PAGE_SIZE} are sent)`,
        );
      }
      range.max = Math.min(max, MAX_PAGE_SIZE);
    } else if (key === 'order') {
      if (value !== 'asc' && value !== 'desc') throw invalid(header, 'order must be asc or desc');
      range.order = value;
    } else {
      throw invalid(header, `unknown option "${key}"`);
    }
  }
  return range;
}

/** Prisma `where`/`orderBy`/`take` for a range; `take` asks for one extra row to know if more remain. */
export function rangeQuery(range: ListRange): {
  where: Record<string, Record<string, string | number | Date>>;
  orderBy: Record<string, 'asc' | 'desc'>[];
  take: number;
} {
  const ascending = range.order === 'asc';
  const bounds: Record<string, string | number | Date> = {};
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

/**
 * Whether a value of the range's field falls inside the range, as `rangeQuery` would have
 * it: for lists that merge a row not stored in the table into a page.
 */
export function inRange(value: string | number | Date, range: ListRange): boolean {
  const ascending = range.order === 'asc';
  const after = (a: string | number | Date, b: string | number | Date) =>
    ascending ? a > b : a < b;
  if (range.start !== undefined) {
    if (range.startExclusive ? !after(value, range.start) : after(range.start, value)) return false;
  }
  if (range.end !== undefined && after(value, range.end)) return false;
  return true;
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
  const bound = last instanceof Date ? last.toISOString() : String(last);
  return new Page(
    pageRows.map(map),
    `${range.field.name} ]${bound}..; max=${range.max}, order=${range.order}`,
  );
}

function boundary(field: RangeField, raw: string, header: string): string | number | Date {
  switch (field.type) {
    case 'timestamp': {
      const at = /^\d{4}-\d{2}-\d{2}T[\d:.]+(Z|[+-]\d{2}:\d{2})$/.test(raw) ? new Date(raw) : null;
      if (!at || Number.isNaN(at.getTime())) {
        throw invalid(
          header,
          `${field.name} bounds are ISO 8601 times such as 2026-12-01T18:00:00Z`,
        );
      }
      return at;
    }
    case 'integer':
      if (!/^\d{1,10}$/.test(raw) || Number(raw) > MAX_INTEGER) {
        throw invalid(header, `${field.name} bounds are whole numbers from 0 to ${MAX_INTEGER}`);
      }
      return Number(raw);
    case 'uuid':
      if (!isUuid(raw)) throw invalid(header, `${field.name} bounds are UUIDs`);
      return raw.toLowerCase();
    case 'string': {
      let value: string;
      try {
        value = decodeURIComponent(raw);
      } catch {
        throw invalid(header, 'escapes must be %XX sequences of UTF-8');
      }
      if (value.includes('\0')) throw invalid(header, `${field.name} bounds may not contain NUL`);
      return value;
    }
  }
}

function invalid(header: string, reason?: string): RangeNotSatisfiableError {
  return new RangeNotSatisfiableError(
    `Invalid Range header "${header}"${reason ? `: ${reason}` : ''}. Expected e.g. "id ..; max=200" or "name ]my-app..; max=10, order=desc".`,
  );
}
