// Reference of router-proxy: the least a proxy written in Node can do. Each connection is
// piped byte for byte to a connection of its own to the upstream, with no HTTP parsing, no
// routing and no headers added. What it costs bounds any Node router on this machine.
import net from 'node:net';

const [upstreamPort] = process.argv.slice(2);
const connections = new Set<net.Socket>();

const server = net.createServer({ noDelay: true }, (client) => {
  const upstream = net.connect({ host: '127.0.0.1', port: Number(upstreamPort), noDelay: true });
  for (const socket of [client, upstream]) {
    connections.add(socket);
    socket.once('close', () => connections.delete(socket));
  }
  client.pipe(upstream);
  upstream.pipe(client);
  const closeBoth = () => {
    client.destroy();
    upstream.destroy();
  };
  for (const socket of [client, upstream]) socket.on('error', closeBoth).on('close', closeBoth);
});
server.listen(Number(process.env.PORT), '127.0.0.1');
process.on('SIGTERM', () => {
  for (const socket of connections) socket.destroy();
  server.close(() => process.exit(0));
});
