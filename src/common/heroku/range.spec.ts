import { RangeNotSatisfiableError } from '../errors/api-errors.js';
import {
  inRange,
  MAX_RANGE_HEADER_LENGTH,
  Page,
  parseRange,
  RangeField,
  rangeQuery,
  toPage,
} from './range.js';

const ID: RangeField = { name: 'id', column: 'id', type: 'uuid' };
const NAME: RangeField = { name: 'name', column: 'name', type: 'string' };
const VERSION: RangeField = { name: 'version', column: 'version', type: 'integer' };
const UUID = '0b6d6a2e-5f0c-4a53-9d3e-2f6b0c1d9e7a';

describe('parseRange', () => {
  it('defaults to the first field, 200 items, ascending', () => {
    expect(parseRange(undefined, [ID, NAME])).toEqual({
      field: ID,
      startExclusive: false,
      max: 200,
      order: 'asc',
    });
  });

  it('reads what the Heroku CLI sends', () => {
    expect(parseRange('version ..; order=desc,max=1', [VERSION])).toMatchObject({
      field: VERSION,
      max: 1,
      order: 'desc',
    });
    expect(parseRange('version ..; max=15, order=desc', [VERSION])).toMatchObject({
      max: 15,
      order: 'desc',
    });
    expect(parseRange('id ..', [ID, NAME])).toMatchObject({ field: ID, max: 200 });
  });

  it('reads exclusive starts, ends and numeric bounds', () => {
    expect(parseRange('name ]app-b..app-z; max=10', [ID, NAME])).toMatchObject({
      field: NAME,
      start: 'app-b',
      startExclusive: true,
      end: 'app-z',
      max: 10,
    });
    expect(parseRange('version ]12..', [VERSION])).toMatchObject({
      start: 12,
      startExclusive: true,
    });
  });

  it('caps max at 1000', () => {
    expect(parseRange('id ..; max=5000', [ID]).max).toBe(1000);
  });

  it('reads UUID bounds, lowercased, and names with dots and escapes', () => {
    expect(parseRange(`id ]${UUID.toUpperCase()}..`, [ID, NAME])).toMatchObject({
      field: ID,
      start: UUID,
      startExclusive: true,
    });
    expect(parseRange('name ]web.1..; max=2', [NAME, ID])).toMatchObject({
      start: 'web.1',
      startExclusive: true,
      max: 2,
    });
    expect(parseRange('name web.1..web.10', [NAME])).toMatchObject({
      start: 'web.1',
      end: 'web.10',
    });
    expect(parseRange('name my%2Dapp..', [NAME]).start).toBe('my-app');
    expect(parseRange('version 0..2147483647', [VERSION])).toMatchObject({
      start: 0,
      end: 2147483647,
    });
  });

  it('rejects unknown fields, options and malformed values with 416', () => {
    for (const header of [
      'size ..',
      'id ..; max=0',
      'id ..; limit=3',
      'id ..; order=sideways',
      'version abc..',
      'id ..; max=ten',
      'id ..; max',
      'id ..; order',
    ]) {
      expect(() => parseRange(header, [ID, VERSION])).toThrow(RangeNotSatisfiableError);
    }
  });

  it('rejects bounds no row can have before they reach a query', () => {
    const refusals: [string, RegExp][] = [
      ['id abc..', /id bounds are UUIDs/],
      ['id ]abc..', /id bounds are UUIDs/],
      [`id ..${UUID}x`, /id bounds are UUIDs/],
      ["id 1' OR '1'='1..", /./],
      ['id ]..', /needs a value/],
      ['name %zz..', /escapes/],
      ['name %E0%A4%A..', /escapes/],
      ['name %..', /escapes/],
      ['name a%00b..', /NUL/],
      ['version 99999999999999999999..', /whole numbers from 0 to 2147483647/],
      ['version 2147483648..', /whole numbers/],
      ['version -1..', /whole numbers/],
      ['version 1.5..', /whole numbers/],
      ['version 1e3..', /whole numbers/],
      ['version ..0x10', /whole numbers/],
      ['version ..; max=99999999999999999999999', /max must be/],
      ['version ..; max=-5', /max must be/],
      ['version ..; max=2.5', /max must be/],
      ['version ..; max=1e3', /max must be/],
      ['version ..; max=' + '9'.repeat(400), /max must be/],
    ];
    for (const [header, reason] of refusals) {
      expect(() => parseRange(header, [ID, NAME, VERSION])).toThrow(RangeNotSatisfiableError);
      expect(() => parseRange(header, [ID, NAME, VERSION])).toThrow(reason);
    }
  });

  it(`refuses a header longer than ${MAX_RANGE_HEADER_LENGTH} characters`, () => {
    const header = `name ${'a'.repeat(MAX_RANGE_HEADER_LENGTH)}..`;
    expect(() => parseRange(header, [NAME])).toThrow(/longer than 1024/);
  });
});

describe('rangeQuery and toPage', () => {
  it('turns an exclusive descending range into a strict upper bound', () => {
    const range = parseRange('version ]5..; max=2, order=desc', [VERSION]);
    expect(rangeQuery(range)).toEqual({
      where: { version: { lt: 5 } },
      orderBy: [{ version: 'desc' }, { id: 'desc' }],
      take: 3,
    });
  });

  it('announces the next range only when a further row exists', () => {
    const range = parseRange('version ..; max=2', [VERSION]);
    const rows = [{ version: 1 }, { version: 2 }, { version: 3 }];
    expect(toPage(rows, range, (r) => r.version)).toEqual(
      new Page([1, 2], 'version ]2..; max=2, order=asc'),
    );
    expect(toPage(rows.slice(0, 2), range, (r) => r.version)).toEqual(new Page([1, 2]));
  });
});

describe('inRange', () => {
  const low = '10000000-0000-4000-8000-000000000000';
  const mid = '50000000-0000-4000-8000-000000000000';
  const high = '90000000-0000-4000-8000-000000000000';

  it('agrees with the bounds rangeQuery puts on the query', () => {
    expect(inRange(mid, parseRange(undefined, [ID]))).toBe(true);
    expect(inRange(mid, parseRange(`id ${low}..${high}`, [ID]))).toBe(true);
    expect(inRange(mid, parseRange(`id ${mid}..`, [ID]))).toBe(true);
    expect(inRange(mid, parseRange(`id ]${mid}..`, [ID]))).toBe(false);
    expect(inRange(low, parseRange(`id ${mid}..`, [ID]))).toBe(false);
    expect(inRange(high, parseRange(`id ..${mid}`, [ID]))).toBe(false);
    expect(inRange(mid, parseRange(`id ..${mid}`, [ID]))).toBe(true);
  });

  it('reverses for descending ranges', () => {
    expect(inRange(low, parseRange(`id ]${mid}..; order=desc`, [ID]))).toBe(true);
    expect(inRange(high, parseRange(`id ]${mid}..; order=desc`, [ID]))).toBe(false);
    expect(inRange(mid, parseRange(`id ]${mid}..; order=desc`, [ID]))).toBe(false);
    expect(inRange(high, parseRange(`id ..${mid}; order=desc`, [ID]))).toBe(true);
  });
});
