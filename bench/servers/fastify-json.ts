// Baseline of routing-lookup: a bare Fastify server answering each app's routing JSON from
// a Map, with nothing else (no auth, no logging, no framework above Fastify).
import Fastify from 'fastify';
import { readFileSync } from 'node:fs';

const [entriesFile] = process.argv.slice(2);
const entries = new Map(
  Object.entries(JSON.parse(readFileSync(entriesFile, 'utf8')) as Record<string, string>),
);
const NOT_FOUND = JSON.stringify({ id: 'not_found', message: "Couldn't find that app." });

const app = Fastify({ logger: false });
app.get<{ Params: { name: string } }>('/routing/v1/apps/:name', (request, reply) => {
  const json = entries.get(request.params.name);
  void reply.header('Content-Type', 'application/json; charset=utf-8');
  if (json === undefined) return reply.code(404).send(NOT_FOUND);
  return reply.send(json);
});

await app.listen({ port: Number(process.env.PORT), host: '127.0.0.1' });
process.on('SIGTERM', () => void app.close().then(() => process.exit(0)));
