/**
 * Errors that services throw. Each carries Heroku's error id and HTTP status; the one
 * HTTP filter turns them into `{"id": ..., "message": ...}`. Ids follow Heroku's
 * Platform API error list.
 */
export class ApiError extends Error {
  constructor(
    readonly status: number,
    readonly id: string,
    message: string,
  ) {
    super(message);
    this.name = new.target.name;
  }
}

export class BadRequestError extends ApiError {
  constructor(message = 'Request invalid, validate usage and try again.') {
    super(400, 'bad_request', message);
  }
}

/** Bad or truncated %-escapes in the path, or a NUL anywhere in the URL (Fastify's FST_ERR_BAD_URL). */
export class MalformedUrlError extends BadRequestError {
  constructor() {
    super(
      'The request URL is not valid: escapes must be %XX sequences of UTF-8, and NUL (%00) is not allowed.',
    );
  }
}

export class UnauthorizedError extends ApiError {
  constructor(message = 'Invalid credentials provided.') {
    super(401, 'unauthorized', message);
  }
}

export class ForbiddenError extends ApiError {
  constructor(message = 'You do not have permission to perform this action.') {
    super(403, 'forbidden', message);
  }
}

export class NotFoundError extends ApiError {
  constructor(message = 'Not found.') {
    super(404, 'not_found', message);
  }
}

export class RequestTimeoutError extends ApiError {
  constructor(message = 'The request took too long to arrive.') {
    super(408, 'request_timeout', message);
  }
}

export class ConflictError extends ApiError {
  constructor(message: string) {
    super(409, 'conflict', message);
  }
}

export class GoneError extends ApiError {
  constructor(message: string) {
    super(410, 'gone', message);
  }
}

export class PayloadTooLargeError extends ApiError {
  constructor(message = 'Request body is too large.') {
    super(413, 'request_entity_too_large', message);
  }
}

/** A path segment longer than any name or id (Fastify's FST_ERR_MAX_PARAM_LENGTH). */
export class PathSegmentTooLongError extends ApiError {
  constructor() {
    super(
      414,
      'request_uri_too_long',
      'A name or id in the request path is longer than any can be.',
    );
  }
}

export class RangeNotSatisfiableError extends ApiError {
  constructor(message: string) {
    super(416, 'requested_range_not_satisfiable', message);
  }
}

/** The app is frozen for maintenance: no new release until it is unfrozen. */
export class FrozenError extends ApiError {
  constructor(message: string) {
    super(423, 'frozen', message);
  }
}

export class InvalidParamsError extends ApiError {
  constructor(message: string) {
    super(422, 'invalid_params', message);
  }
}

export class RateLimitError extends ApiError {
  constructor(
    message = 'Your account reached the API rate limit. Please wait a few minutes.',
    /** Sent with the 429: Retry-After, and RateLimit-Remaining for the account budget. */
    readonly headers: Record<string, string> = {},
  ) {
    super(429, 'rate_limit', message);
  }
}

export class HeaderFieldsTooLargeError extends ApiError {
  constructor(message: string) {
    super(431, 'request_header_fields_too_large', message);
  }
}

/** Unable to answer for now; the same request may succeed after `retryAfterSeconds` (Retry-After). */
export class ServiceUnavailableError extends ApiError {
  constructor(
    message: string,
    readonly retryAfterSeconds: number,
  ) {
    super(503, 'service_unavailable', message);
  }
}

/** A stored secret this replica cannot open; `keyId` names the key that sealed it, if known. */
export abstract class UnreadableSecretError extends ApiError {
  constructor(
    status: number,
    id: string,
    message: string,
    readonly keyId: string | null,
  ) {
    super(status, id, message);
  }
}

/**
 * Sealed with a key this replica was not given. 503, not 500: nothing is wrong with the
 * request or the code, and a replica that has the key (or this one, once the operator
 * sets it) answers the same request.
 */
export class EncryptionKeyUnavailableError extends UnreadableSecretError {
  constructor(keyId: string | null) {
    super(
      503,
      'encryption_key_unavailable',
      `${keyId ? `A stored secret is sealed with encryption key ${keyId}` : 'A stored secret is sealed, from before key ids were recorded, with an encryption key'}, which this replica does not have: set DRYDOCK_ENCRYPTION_KEY to that key or add it to DRYDOCK_ENCRYPTION_KEYS_PREVIOUS.`,
      keyId,
    );
  }
}

/** Refused by its own key: the stored value was altered in the database. */
export class SealedValueDamagedError extends UnreadableSecretError {
  constructor(keyId: string | null) {
    super(
      500,
      'sealed_value_damaged',
      `A stored secret${keyId ? ` sealed with encryption key ${keyId}` : ''} fails authentication: it was altered in the database and cannot be read.`,
      keyId,
    );
  }
}
