import { execFile } from 'node:child_process';
import { X509Certificate } from 'node:crypto';
import { mkdtemp, readFile, stat, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import tls from 'node:tls';
import {
  CA_FILE,
  certificateNames,
  ensureRendezvousCertificate,
  subjectAltNames,
} from './rendezvous-certificate.js';

async function tempDir(): Promise<string> {
  return mkdtemp(path.join(os.tmpdir(), 'drydock-rendezvous-cert-'));
}

/** A TLS server with the certificate, answering "ok" to every connection. */
async function serve(key: string, cert: string): Promise<{ port: number; close: () => void }> {
  const server = tls.createServer({ key, cert }, (socket) => socket.end('ok'));
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const address = server.address();
  if (!address || typeof address !== 'object') throw new Error('no address');
  return { port: address.port, close: () => server.close() };
}

/** What a client verifying against `ca` reads, or the error it fails with. */
function connect(port: number, options: tls.ConnectionOptions): Promise<string> {
  return new Promise((resolve) => {
    const socket = tls.connect({ port, host: '127.0.0.1', ...options });
    let data = '';
    socket.setEncoding('utf8');
    socket.on('data', (chunk: string) => (data += chunk));
    socket.on('end', () => resolve(data));
    socket.on('error', (error: NodeJS.ErrnoException) => resolve(`error: ${error.code}`));
  });
}

describe('ensureRendezvousCertificate', () => {
  it('makes a CA and a server certificate that TLS clients trusting the CA accept', async () => {
    const dir = await tempDir();
    const made = await ensureRendezvousCertificate(dir, ['dynos.example.test', '192.0.2.10']);
    expect(made.caFile).toBe(path.join(dir, CA_FILE));
    expect(made.caCreated).toBe(true);
    const ca = await readFile(made.caFile, 'utf8');
    expect(new X509Certificate(ca).ca).toBe(true);
    expect(subjectAltNames(new X509Certificate(made.cert))).toEqual(
      ['127.0.0.1', '192.0.2.10', 'dynos.example.test', 'localhost'].sort(),
    );

    const server = await serve(made.key, made.cert);
    try {
      // The Heroku CLI connects to the host of the attach URL, an IP or a name.
      expect(await connect(server.port, { ca })).toBe('ok');
      expect(await connect(server.port, { ca, servername: 'localhost' })).toBe('ok');
      expect(await connect(server.port, { ca, servername: 'dynos.example.test' })).toBe('ok');
      expect(await connect(server.port, { ca, servername: 'other.example.test' })).toBe(
        'error: ERR_TLS_CERT_ALTNAME_INVALID',
      );
      expect(await connect(server.port, {})).toBe('error: UNABLE_TO_VERIFY_LEAF_SIGNATURE');
    } finally {
      server.close();
    }
  });

  it('writes the keys for its owner only and the CA certificate for everyone to read', async () => {
    const dir = await tempDir();
    await ensureRendezvousCertificate(dir, []);
    const mode = async (name: string) => (await stat(path.join(dir, name))).mode & 0o777;
    expect(await mode(CA_FILE)).toBe(0o644);
    expect(await mode('rendezvous-ca-key.pem')).toBe(0o600);
    expect(await mode('rendezvous-key.pem')).toBe(0o600);
  });

  it('is trusted by a node process given the CA in NODE_EXTRA_CA_CERTS', async () => {
    const dir = await tempDir();
    const made = await ensureRendezvousCertificate(dir, []);
    const server = await serve(made.key, made.cert);
    const client = (env: NodeJS.ProcessEnv) =>
      new Promise<string>((resolve) => {
        const script = `require('tls').connect(${server.port}, '127.0.0.1')
          .on('data', (d) => process.stdout.write(d))
          .on('error', (e) => process.stdout.write(e.code));`;
        execFile(process.execPath, ['-e', script], { env, timeout: 20_000 }, (_error, stdout) =>
          resolve(stdout),
        );
      });
    try {
      expect(await client({ PATH: process.env.PATH, NODE_EXTRA_CA_CERTS: made.caFile })).toBe('ok');
      expect(await client({ PATH: process.env.PATH })).toBe('UNABLE_TO_VERIFY_LEAF_SIGNATURE');
    } finally {
      server.close();
    }
  });

  it('reuses what it made, and keeps the CA when the hosts change', async () => {
    const dir = await tempDir();
    const first = await ensureRendezvousCertificate(dir, ['dynos.example.test']);
    const ca = await readFile(first.caFile, 'utf8');

    const again = await ensureRendezvousCertificate(dir, ['DYNOS.example.test.', '127.0.0.1']);
    expect(again).toEqual({ ...first, caCreated: false });

    const moved = await ensureRendezvousCertificate(dir, ['192.0.2.20']);
    expect(moved.caCreated).toBe(false);
    expect(moved.cert).not.toBe(first.cert);
    expect(subjectAltNames(new X509Certificate(moved.cert))).toEqual(
      ['127.0.0.1', '192.0.2.20', 'localhost'].sort(),
    );
    expect(await readFile(moved.caFile, 'utf8')).toBe(ca);
    expect(new X509Certificate(moved.cert).verify(new X509Certificate(ca).publicKey)).toBe(true);
  });

  it('makes a new CA when its key is lost or damaged', async () => {
    const dir = await tempDir();
    const first = await ensureRendezvousCertificate(dir, []);
    await writeFile(path.join(dir, 'rendezvous-ca-key.pem'), 'not a key');
    const second = await ensureRendezvousCertificate(dir, []);
    expect(second.caCreated).toBe(true);
    const ca = new X509Certificate(await readFile(second.caFile, 'utf8'));
    expect(new X509Certificate(second.cert).verify(ca.publicKey)).toBe(true);
    expect(second.cert).not.toBe(first.cert);
  });

  it('refuses a host that is neither a name nor an IP address', async () => {
    await expect(ensureRendezvousCertificate(await tempDir(), ['bad host'])).rejects.toThrow(
      'Not a host name or IP address for the rendezvous certificate: bad host',
    );
  });
});

describe('certificateNames', () => {
  it('always holds loopback, drops wildcard binds, and writes IPv6 canonically', () => {
    expect(certificateNames(['0.0.0.0', '::', '[::1]', '2001:DB8:0:0::1', 'Host.Test'])).toEqual(
      ['127.0.0.1', '2001:db8::1', '::1', 'host.test', 'localhost'].sort(),
    );
  });
});
