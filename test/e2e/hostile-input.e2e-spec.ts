import net from 'node:net';
import { rawRequest, RawResponse, sendRaw } from '../support/raw-http.js';
import { ADMIN_TOKEN, bearer, startTestApp, TestApp } from '../support/test-app.js';

const TABLES = [
  'accounts',
  'api_tokens',
  'spaces',
  'apps',
  'formations',
  'dynos',
  'config_vars',
  'releases',
  'events',
];

describe('bad input never reaches a 500', () => {
  let t: TestApp;
  let port: number;

  beforeAll(async () => {
    t = await startTestApp();
    port = await t.listen();
    await t
      .http()
      .post('/apps')
      .set(bearer(ADMIN_TOKEN))
      .send({ name: 'myapp', process_types: { web: 'npm start' } })
      .expect(201);
    await t
      .http()
      .patch('/apps/myapp/config-vars')
      .set(bearer(ADMIN_TOKEN))
      .send({ FOO: 'bar' })
      .expect(200);
  });
  afterAll(() => t.close());

  /** Every row of every table, to show a refused request changed nothing. */
  const databaseState = async (): Promise<unknown> => {
    const columns = TABLES.map(
      (table) =>
        `'${table}', (SELECT coalesce(json_agg(r ORDER BY r::text), '[]') FROM ${table} r)`,
    );
    const [{ state }] = await t.prisma.$queryRawUnsafe<{ state: unknown }[]>(
      `SELECT json_build_object(${columns.join(', ')}) AS state`,
    );
    return state;
  };

  const expectHerokuError = (response: RawResponse, status: number, id: string): string => {
    const context = `${response.status} ${response.body}`;
    expect([context, response.status]).toEqual([context, status]);
    expect(response.headers['request-id']).toMatch(/^[0-9a-f-]{36}$/);
    expect(response.headers['content-type']).toBe('application/json; charset=utf-8');
    const body = JSON.parse(response.body) as Record<string, unknown>;
    expect(Object.keys(body).sort()).toEqual(['id', 'message']);
    expect(body.id).toBe(id);
    expect(typeof body.message === 'string' && body.message.length > 0).toBe(true);
    return body.message as string;
  };

  /** Sends each request, expects each to be refused as given, and the database untouched. */
  const refuses = async (
    requests: Buffer[],
    status: number,
    id: string,
    message?: RegExp,
  ): Promise<void> => {
    const before = await databaseState();
    for (const request of requests) {
      const text = expectHerokuError(await sendRaw(port, request), status, id);
      if (message) expect(text).toMatch(message);
    }
    expect(await databaseState()).toEqual(before);
  };

  const json = (method: string, path: string, body: string | Buffer) =>
    rawRequest(method, path, { body });

  describe('paths', () => {
    const badSegments = ['%E0%A4%A', '%zz', '%', '%00', 'my%00app', '%ff', '%ED%A0%80'];

    it('answers malformed escapes and %00 in any segment of a Fastify route with 400', async () => {
      const paths = badSegments.flatMap((bad) => [
        `/apps/${bad}`,
        `/apps/${bad}/config-vars`,
        `/apps/myapp/releases/${bad}`,
        `/apps/myapp/formation/${bad}`,
        `/users/${bad}/apps`,
        `/spaces/${bad}`,
        `/nope/${bad}`,
      ]);
      await refuses(
        [
          ...paths.map((path) => rawRequest('GET', path)),
          json('PATCH', '/apps/myapp%00/config-vars', '{"FOO":"changed"}'),
          rawRequest('DELETE', '/apps/myapp%00'),
          rawRequest('DELETE', '/apps/%E0%A4%A'),
          rawRequest('GET', '/apps?name=%00'),
        ],
        400,
        'bad_request',
        /escapes must be %XX sequences of UTF-8, and NUL \(%00\) is not allowed/,
      );
    });

    it('answers the same on the machine lookups, before looking at the token', async () => {
      const lookups = badSegments.flatMap((bad) => [
        rawRequest('GET', `/routing/v1/apps/${bad}`),
        rawRequest('GET', `/scheduler/v1/apps/${bad}`),
        rawRequest('GET', `/routing/v1/apps/${bad}`, { headers: { Authorization: 'Bearer nope' } }),
      ]);
      await refuses(lookups, 400, 'bad_request', /escapes must be %XX/);
    });

    it('answers a raw NUL or invalid UTF-8 byte in the request line with 400', async () => {
      await refuses(
        [
          rawRequest('GET', Buffer.from('/apps/my\0app', 'latin1')),
          rawRequest('GET', Buffer.from('/routing/v1/apps/my\0app', 'latin1')),
          rawRequest('GET', Buffer.concat([Buffer.from('/apps/'), Buffer.from([0xff, 0xfe])])),
          Buffer.from('GARBAGE\r\n\r\n'),
          Buffer.from('GET /apps HTTP/1.1\r\nHost: localhost\r\nNo colon here\r\n\r\n'),
        ],
        400,
        'bad_request',
        /not valid HTTP/,
      );
    });

    it('answers a segment longer than any name or id with 414, yet takes a 200-character email', async () => {
      const long = 'a'.repeat(255);
      await refuses(
        [
          rawRequest('GET', `/apps/${long}`),
          rawRequest('GET', `/apps/myapp/formation/${long}`),
          rawRequest('DELETE', `/apps/${long}`),
          rawRequest('GET', `/routing/v1/apps/${long}`),
          rawRequest('GET', `/scheduler/v1/apps/${'%61'.repeat(255)}`),
        ],
        414,
        'request_uri_too_long',
      );

      const email = `${'a'.repeat(64)}@${'b'.repeat(63)}.${'c'.repeat(63)}.example.com`;
      await t.http().post('/accounts').set(bearer(ADMIN_TOKEN)).send({ email }).expect(201);
      const response = await sendRaw(port, rawRequest('GET', `/users/${email}/apps`));
      expect([response.status, response.body]).toEqual([200, '[]']);
    });
  });

  describe('headers', () => {
    it('answers a header block over 16 KiB with 431 and closes the connection', async () => {
      await refuses(
        [
          rawRequest('GET', '/apps', { headers: { 'X-Padding': 'a'.repeat(20_000) } }),
          rawRequest('GET', '/routing/v1/apps/myapp', { headers: { Cookie: 'a'.repeat(20_000) } }),
          rawRequest('GET', `/apps?${'a'.repeat(20_000)}`),
        ],
        431,
        'request_header_fields_too_large',
      );
      const response = await sendRaw(
        port,
        rawRequest('GET', '/apps', { headers: { 'X-Padding': 'a'.repeat(20_000) } }),
      );
      expect(response.headers.connection).toBe('close');
    });

    it('survives clients that are gone before the answer', async () => {
      for (let i = 0; i < 5; i++) {
        const socket = net.connect(port, '127.0.0.1');
        await new Promise((resolve) => socket.on('connect', resolve));
        socket.write(rawRequest('GET', '/apps', { headers: { 'X-Padding': 'a'.repeat(20_000) } }));
        socket.destroy();
      }
      await t.http().get('/healthz').expect(200);
    });

    it('answers over-long Authorization and Range values below that limit with a clean 4xx', async () => {
      await refuses(
        [
          rawRequest('GET', '/apps', {
            headers: { Authorization: `Bearer ${'a'.repeat(10_000)}` },
          }),
        ],
        401,
        'unauthorized',
      );
      await refuses(
        [rawRequest('GET', '/apps', { headers: { Range: `name ${'a'.repeat(10_000)}..` } })],
        416,
        'requested_range_not_satisfiable',
        /longer than 1024 characters/,
      );
    });
  });

  describe('Range', () => {
    const listing = (path: string, ranges: string[]) =>
      ranges.map((range) => rawRequest('GET', path, { headers: { Range: range } }));

    it('answers app ids that are not UUIDs with 416 before any query', async () => {
      await refuses(
        listing('/apps', [
          'id abc..',
          'id ]abc..',
          'id ]..',
          'id ..not-a-uuid',
          "id ]' OR 1=1 --..",
          'id 0b6d6a2e-5f0c-4a53-9d3e-2f6b0c1d9e7aa..',
        ]),
        416,
        'requested_range_not_satisfiable',
      );
      await refuses(
        listing('/spaces', ['id abc..']),
        416,
        'requested_range_not_satisfiable',
        /id bounds are UUIDs/,
      );
    });

    it('answers app names with malformed escapes or NUL with 416', async () => {
      await refuses(
        listing('/apps', ['name %zz..', 'name %E0%A4%A..', 'name ..%', 'name my%00app..']),
        416,
        'requested_range_not_satisfiable',
      );
    });

    it('answers release versions no integer column holds, and absurd max, with 416', async () => {
      await refuses(
        listing('/apps/myapp/releases', [
          'version 99999999999999999999..',
          'version 2147483648..',
          'version -1..',
          'version 1.5..',
          'version ..1e3',
          'version ..; max=99999999999999999999999',
          'version ..; max=-1',
          'version ..; max=2.5',
        ]),
        416,
        'requested_range_not_satisfiable',
      );
    });
  });

  describe('JSON bodies', () => {
    const deepArray = (depth: number) => '['.repeat(depth) + ']'.repeat(depth);
    const deepObject = (depth: number) => '{"a":'.repeat(depth) + '1' + '}'.repeat(depth);

    it('answers nesting 10,000 deep with 400 and creates nothing', async () => {
      await refuses(
        [
          json('POST', '/apps', deepArray(10_000)),
          json('POST', '/apps', deepObject(10_000)),
          json('POST', '/apps', `{"name":"deep-app","process_types":${deepObject(10_000)}}`),
          json('PATCH', '/apps/myapp/config-vars', `{"FOO":${deepArray(10_000)}}`),
          json('PATCH', '/apps/myapp/formation', `{"updates":${deepArray(33)}}`),
        ],
        400,
        'bad_request',
        /deeper than 32 levels/,
      );
    });

    it('refuses __proto__ and constructor.prototype keys, polluting nothing', async () => {
      await refuses(
        [
          json('POST', '/apps', '{"name":"proto-app","__proto__":{"polluted":true}}'),
          json('PATCH', '/apps/myapp/config-vars', '{"__proto__":{"polluted":true}}'),
          json(
            'POST',
            '/apps',
            '{"name":"ctor-app","constructor":{"prototype":{"polluted":true}}}',
          ),
        ],
        400,
        'bad_request',
      );
      expect(({} as Record<string, unknown>).polluted).toBeUndefined();
    });
  });

  describe('strings', () => {
    const nul = '\\u0000';
    const surrogate = '\\ud800';

    it('answers NUL in any string field with 422 naming the field, and writes nothing', async () => {
      const cases: [string, string, string, string][] = [
        ['POST', '/apps', `{"name":"my${nul}app"}`, 'name'],
        ['POST', '/apps', `{"name":"fine-app","space":"a${nul}"}`, 'space'],
        [
          'POST',
          '/apps',
          `{"name":"fine-app","process_types":{"web":"npm${nul}"}}`,
          'process_types.web',
        ],
        ['PATCH', '/apps/myapp/config-vars', `{"FOO":"changed${nul}"}`, 'FOO'],
        ['PATCH', '/apps/myapp/config-vars', `{"NEW${nul}":"x"}`, 'key "NEW\\u0000"'],
        ['PUT', '/apps/myapp/process-types', `{"web":"npm${nul}start"}`, 'web'],
        [
          'POST',
          '/oauth/authorizations',
          `{"scope":["global"],"description":"ci${nul}"}`,
          'description',
        ],
        ['POST', '/oauth/authorizations', `{"scope":["global${nul}"]}`, 'scope[0]'],
        ['POST', '/spaces', `{"name":"space${nul}"}`, 'name'],
        ['PATCH', '/account', `{"name":"Ada${nul}"}`, 'name'],
        ['POST', '/apps/myapp/dynos', `{"command":"ls${nul}"}`, 'command'],
        ['POST', '/apps/myapp/dynos', `{"command":"ls","env":{"A":"${nul}"}}`, 'env.A'],
      ];
      for (const [method, path, body, field] of cases) {
        await refuses(
          [json(method, path, body)],
          422,
          'invalid_params',
          new RegExp(`^${field.replace(/[.[\]\\]/g, '\\$&')}: contains a NUL character`),
        );
      }
    });

    it('answers lone surrogates with 422 naming the field', async () => {
      const cases: [string, string, string, string][] = [
        ['PATCH', '/apps/myapp/config-vars', `{"FOO":"x${surrogate}"}`, 'FOO'],
        ['PUT', '/apps/myapp/process-types', `{"web":"npm \\udc00"}`, 'web'],
        [
          'POST',
          '/oauth/authorizations',
          `{"scope":["global"],"description":"${surrogate}"}`,
          'description',
        ],
        ['PATCH', '/account', `{"name":"${surrogate}"}`, 'name'],
        ['POST', '/apps/myapp/dynos', `{"command":"ls ${surrogate}"}`, 'command'],
      ];
      for (const [method, path, body, field] of cases) {
        await refuses(
          [json(method, path, body)],
          422,
          'invalid_params',
          new RegExp(`^${field}: contains a lone surrogate`),
        );
      }
    });

    it('answers invalid UTF-8 bytes with 422 naming the field, not a silent U+FFFD', async () => {
      const withBytes = (before: string, bytes: number[], after: string) =>
        Buffer.concat([Buffer.from(before), Buffer.from(bytes), Buffer.from(after)]);
      await refuses(
        [
          json(
            'PATCH',
            '/apps/myapp/config-vars',
            withBytes('{"OK":"fine","FOO":"', [0xff, 0xfe], '"}'),
          ),
        ],
        422,
        'invalid_params',
        /^FOO: is not valid UTF-8\.$/,
      );
      await refuses(
        [
          json('POST', '/apps', withBytes('{"name":"', [0xe0, 0xa4], '"}')),
          json('PUT', '/apps/myapp/process-types', withBytes('{"web":"npm ', [0xc0, 0x80], '"}')),
        ],
        422,
        'invalid_params',
        /: is not valid UTF-8\.$/,
      );
    });

    it('says why a config value a process environment cannot carry is refused', async () => {
      await refuses(
        [json('PATCH', '/apps/myapp/config-vars', `{"FOO":"a${nul}b","BAR":"fine"}`)],
        422,
        'invalid_params',
        /^FOO: .*PostgreSQL cannot store and a process environment cannot carry/,
      );
      await refuses(
        [json('PATCH', '/apps/myapp/config-vars', '{"A=B":"x"}')],
        422,
        'invalid_params',
        /Invalid config var key "A=B"/,
      );
      const config = await t
        .http()
        .get('/apps/myapp/config-vars')
        .set(bearer(ADMIN_TOKEN))
        .expect(200);
      expect(config.body).toEqual({ FOO: 'bar' });
    });
  });

  describe("Fastify's own rejections", () => {
    it('answers a body over the limit with 413', async () => {
      await refuses(
        [
          rawRequest('POST', '/apps', {
            headers: {
              'Content-Type': 'application/json',
              'Content-Length': String(2 * 1024 * 1024),
            },
          }),
        ],
        413,
        'request_entity_too_large',
      );
    });

    it('answers unknown routes and methods with 404, as Heroku does', async () => {
      await refuses(
        [rawRequest('GET', '/nope'), json('PUT', '/apps', '{}'), rawRequest('POST', '/apps/myapp')],
        404,
        'not_found',
      );
    });

    it('answers other media types with 415 and malformed JSON with 400', async () => {
      await refuses(
        [
          rawRequest('POST', '/apps', {
            headers: { 'Content-Type': 'text/plain' },
            body: 'name=x',
          }),
        ],
        415,
        'unsupported_media_type',
      );
      await refuses(
        [
          json('POST', '/apps', '{"name":'),
          json('PATCH', '/apps/myapp/config-vars', '{"FOO":"bar"'),
        ],
        400,
        'bad_request',
        /not valid JSON/,
      );
    });
  });
});
