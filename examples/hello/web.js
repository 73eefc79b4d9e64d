// A web process: answers every request on $PORT, as a dyno's router expects.
import http from 'node:http';

const dyno = process.env.DYNO ?? 'web';
const greeting = process.env.GREETING || '(GREETING is not set)';

const server = http.createServer((request, response) => {
  // Read the request to its end so that keep-alive connections stay usable.
  request.resume();
  response.writeHead(200, { 'Content-Type': 'text/plain; charset=utf-8' });
  response.end(`Hello from ${dyno}: ${greeting}\n`);
});

server.listen(Number(process.env.PORT ?? 5000), () => {
  console.log(`${dyno} listening on ${server.address().port}`);
});

// A dyno is stopped with SIGTERM: stop taking connections, finish, exit.
process.on('SIGTERM', () => {
  console.log(`${dyno} got SIGTERM, stopping`);
  server.close(() => process.exit(0));
  server.closeIdleConnections();
});
