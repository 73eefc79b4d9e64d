import { RangeNotSatisfiableError } from '../errors/api-errors.js';
import { Page, parseRange, rangeQuery, toPage } from './range.js';

const ID = { name: 'id', column: 'id' };
const NAME = { name: 'name', column: 'name' };
const VERSION = { name: 'version', column: 'version', numeric: true };

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

  it('rejects unknown fields, options and malformed values with 416', () => {
    for (const header of [
      'size ..',
      'id ..; max=0',
      'id ..; limit=3',
      'id ..; order=sideways',
      'version abc..',
      'id ..; max=ten',
    ]) {
      expect(() => parseRange(header, [ID, VERSION])).toThrow(RangeNotSatisfiableError);
    }
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
