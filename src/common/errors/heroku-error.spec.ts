import { HttpException, NotFoundException } from '@nestjs/common';
import {
  ConflictError,
  MalformedUrlError,
  PathSegmentTooLongError,
  ServiceUnavailableError,
} from './api-errors.js';
import { DatabaseUnavailableError } from './database-unavailable.js';
import { toHerokuError } from './heroku-error.js';

describe('toHerokuError', () => {
  it('keeps the id, status and message of API errors', () => {
    expect(toHerokuError(new ConflictError('Name is already taken'))).toEqual({
      status: 409,
      body: { id: 'conflict', message: 'Name is already taken' },
      unexpected: false,
    });
  });

  it('maps Nest HTTP exceptions by status', () => {
    expect(toHerokuError(new NotFoundException('Cannot GET /nope')).body).toEqual({
      id: 'not_found',
      message: 'Cannot GET /nope',
    });
  });

  it('rewrites the Fastify body errors Nest wraps into clear messages', () => {
    const tooLarge = new HttpException('Request body is too large', 413, {
      cause: Object.assign(new Error('x'), { code: 'FST_ERR_CTP_BODY_TOO_LARGE' }),
    });
    expect(toHerokuError(tooLarge).body).toEqual({
      id: 'request_entity_too_large',
      message: 'Request body is too large.',
    });
    const badJson = new HttpException('Body is not valid JSON', 400, {
      cause: Object.assign(new Error('x'), { code: 'FST_ERR_CTP_INVALID_JSON_BODY' }),
    });
    expect(toHerokuError(badJson).body).toEqual({
      id: 'bad_request',
      message: 'Request body is not valid JSON.',
    });
  });

  it("answers Fastify's router rejections as the machine lookups do, without echoing the path", () => {
    const badUrl = Object.assign(new URIError("'/apps/%zz' is not a valid url component"), {
      code: 'FST_ERR_BAD_URL',
      statusCode: 400,
    });
    expect(toHerokuError(badUrl)).toEqual(toHerokuError(new MalformedUrlError()));
    expect(toHerokuError(badUrl).body.id).toBe('bad_request');
    const tooLong = Object.assign(new URIError("'/apps/aaaa' is exceeding the max param length"), {
      code: 'FST_ERR_MAX_PARAM_LENGTH',
      statusCode: 414,
    });
    expect(toHerokuError(tooLong)).toEqual({
      status: 414,
      body: { id: 'request_uri_too_long', message: new PathSegmentTooLongError().message },
      unexpected: false,
    });
  });

  it('withholds the details of unexpected errors', () => {
    const result = toHerokuError(new Error('connection string postgres://u:secret@db'));
    expect(result.status).toBe(500);
    expect(result.unexpected).toBe(true);
    expect(JSON.stringify(result.body)).not.toContain('secret');
  });

  it('answers 503 with Retry-After, not 500, when the database did not answer', () => {
    const prismaLike = (code: string) =>
      Object.assign(new Error(`Invalid invocation: ${code}`), { code });
    for (const error of [
      new DatabaseUnavailableError('connect ECONNREFUSED 127.0.0.1:5432'),
      prismaLike('DRYDOCK_DATABASE_UNAVAILABLE'),
      prismaLike('P1001'),
      prismaLike('P2028'),
      new Error('wrapped', { cause: prismaLike('P1017') }),
    ]) {
      const result = toHerokuError(error);
      expect(result).toMatchObject({
        status: 503,
        unexpected: false,
        headers: { 'Retry-After': '2' },
      });
      expect(result.body.id).toBe('service_unavailable');
      expect(result.body.message).not.toContain('5432');
    }
    expect(toHerokuError(prismaLike('P2002')).status).toBe(500);
  });

  it('passes on the Retry-After of a service_unavailable error of ours', () => {
    expect(toHerokuError(new ServiceUnavailableError('Not ready.', 7))).toMatchObject({
      status: 503,
      body: { id: 'service_unavailable', message: 'Not ready.' },
      headers: { 'Retry-After': '7' },
    });
  });
});
