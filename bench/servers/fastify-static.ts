// Baseline of maintenance-page: a bare Fastify server sending the bytes the router sent
// (status, headers, body), captured from the router in the same run. X-Request-Id is drawn
// per request, as the router does.
import Fastify, { FastifyReply } from 'fastify';
import { randomUUID } from 'node:crypto';
import { readFileSync } from 'node:fs';

export interface CapturedResponse {
  status: number;
  /** Header name and value pairs, without those Node sets per response. */
  headers: [string, string][];
  bodyBase64: string;
}

const [captureFile] = process.argv.slice(2);
const captured = JSON.parse(readFileSync(captureFile, 'utf8')) as CapturedResponse;
const body = Buffer.from(captured.bodyBase64, 'base64');
const headers = Object.fromEntries(captured.headers);

const app = Fastify({ logger: false });
const send = (_request: unknown, reply: FastifyReply) =>
  reply.code(captured.status).headers(headers).header('X-Request-Id', randomUUID()).send(body);
app.get('/', send);
app.get('/*', send);

await app.listen({ port: Number(process.env.PORT), host: '127.0.0.1' });
process.on('SIGTERM', () => void app.close().then(() => process.exit(0)));
