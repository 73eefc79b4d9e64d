import {
  array,
  boolean,
  integer,
  nullable,
  object,
  problemsOf,
  string,
  toOpenApi,
} from './shape.js';

describe('shapes', () => {
  const event = object({
    name: string,
    up: boolean,
    count: integer,
    reason: nullable(string),
    tags: array(string),
    size: object({ from: string, to: string }),
  });
  const good = {
    name: 'web.1',
    up: true,
    count: 2,
    reason: null,
    tags: ['a'],
    size: { from: 'S', to: 'M' },
  };

  it('accepts exactly what the shape describes', () => {
    expect(problemsOf(event, good)).toEqual([]);
    expect(problemsOf(event, { ...good, reason: 'why' })).toEqual([]);
  });

  it('names every missing, mistyped and undescribed field by its path', () => {
    expect(
      problemsOf(event, {
        name: 1,
        up: 'yes',
        count: 1.5,
        tags: ['a', 2],
        size: { from: 'S' },
        extra: true,
      }),
    ).toEqual([
      'data.name: expected a string',
      'data.up: expected a boolean',
      'data.count: expected an integer',
      'data.reason: missing',
      'data.tags[1]: expected a string',
      'data.size.to: missing',
      'data.extra: not described',
    ]);
    expect(problemsOf(event, [])).toEqual(['data: expected an object']);
    expect(problemsOf(array(string), 'x')).toEqual(['data: expected an array']);
  });

  it('describes itself as an OpenAPI schema', () => {
    expect(toOpenApi(object({ reason: nullable(string), tags: array(integer) }))).toEqual({
      type: 'object',
      required: ['reason', 'tags'],
      additionalProperties: false,
      properties: {
        reason: { type: 'string', nullable: true },
        tags: { type: 'array', items: { type: 'integer' } },
      },
    });
  });
});
