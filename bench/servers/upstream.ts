// The web dyno of router-proxy: a tiny node:http server answering every request with the
// same small page. Hit directly, it is also that benchmark's baseline.
import http from 'node:http';

const BODY = Buffer.from(
  `<!doctype html><html><head><title>proxyapp</title></head><body>${'<p>Hello from web.1</p>'.repeat(40)}</body></html>\n`,
);

const server = http.createServer((request, response) => {
  request.resume();
  response.writeHead(200, {
    'Content-Type': 'text/html; charset=utf-8',
    'Content-Length': String(BODY.length),
  });
  response.end(BODY);
});
server.keepAliveTimeout = 65_000;
server.listen(Number(process.env.PORT), '127.0.0.1');
process.on('SIGTERM', () => {
  server.closeAllConnections();
  server.close(() => process.exit(0));
});
