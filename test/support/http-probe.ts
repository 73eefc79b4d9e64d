import http from 'node:http';

export interface ProbeResponse {
  status: number;
  headers: http.IncomingHttpHeaders;
  body: string;
}

/** One HTTP request with a chosen Host header (fetch does not let you set it). */
export function probe(
  port: number,
  host: string,
  path = '/',
  headers: Record<string, string> = {},
): Promise<ProbeResponse> {
  return new Promise((resolve, reject) => {
    const request = http.request(
      { port, host: '127.0.0.1', path, headers: { Host: host, ...headers }, agent: false },
      (response) => {
        let body = '';
        response.setEncoding('utf8');
        response.on('data', (chunk) => (body += chunk));
        response.on('end', () =>
          resolve({ status: response.statusCode ?? 0, headers: response.headers, body }),
        );
      },
    );
    request.on('error', reject);
    request.end();
  });
}
