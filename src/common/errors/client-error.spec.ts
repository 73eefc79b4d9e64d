import { clientErrorFor, clientErrorResponse } from './client-error.js';

describe('client errors', () => {
  it('maps Node parser codes to Heroku statuses and ids', () => {
    const answers = [
      'HPE_HEADER_OVERFLOW',
      'HPE_CHUNK_EXTENSIONS_OVERFLOW',
      'ERR_HTTP_REQUEST_TIMEOUT',
      'HPE_INVALID_METHOD',
      undefined,
    ].map((code) => [clientErrorFor(code).status, clientErrorFor(code).id]);
    expect(answers).toEqual([
      [431, 'request_header_fields_too_large'],
      [413, 'request_entity_too_large'],
      [408, 'request_timeout'],
      [400, 'bad_request'],
      [400, 'bad_request'],
    ]);
  });

  it('writes a complete response that closes the connection', () => {
    const response = clientErrorResponse(clientErrorFor('HPE_HEADER_OVERFLOW'), 'req-1');
    const [head, body] = response.split('\r\n\r\n');
    expect(head.split('\r\n')).toEqual([
      'HTTP/1.1 431 Request Header Fields Too Large',
      'Content-Type: application/json; charset=utf-8',
      `Content-Length: ${Buffer.byteLength(body)}`,
      'Request-Id: req-1',
      'Connection: close',
    ]);
    expect(JSON.parse(body)).toEqual({
      id: 'request_header_fields_too_large',
      message: expect.stringContaining('16384 bytes'),
    });
  });
});
