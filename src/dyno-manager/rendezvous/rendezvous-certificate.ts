// tsyringe, inside @peculiar/x509, needs the Reflect metadata API before it loads.
import 'reflect-metadata';
import * as x509 from '@peculiar/x509';
import { createPrivateKey, randomBytes, webcrypto, X509Certificate } from 'node:crypto';
import { chmod, mkdir, readFile, rename, writeFile } from 'node:fs/promises';
import { isIP } from 'node:net';
import path from 'node:path';

/** The rendezvous' TLS identity: its key and certificate, and the CA that clients trust. */
export interface RendezvousCertificate {
  /** PEM private key of the server certificate. */
  key: string;
  /** PEM server certificate, signed by the CA. */
  cert: string;
  /** The CA certificate users point NODE_EXTRA_CA_CERTS at. */
  caFile: string;
  /** True when the CA was made now: certificates trusted before no longer are. */
  caCreated: boolean;
}

export const CA_FILE = 'rendezvous-ca.pem';
const CA_KEY_FILE = 'rendezvous-ca-key.pem';
const CERT_FILE = 'rendezvous-cert.pem';
const KEY_FILE = 'rendezvous-key.pem';
const DAY_MS = 24 * 60 * 60_000;
/** Long-lived, so that users set NODE_EXTRA_CA_CERTS once. */
const CA_DAYS = 10 * 365;
/** The longest lifetime clients accept for a server certificate. */
const SERVER_DAYS = 397;
/** A certificate that expires within this is made anew at start. */
const RENEW_BEFORE_MS = 30 * DAY_MS;
const ALWAYS = ['127.0.0.1', 'localhost'];
// ECDSA P-256: keys are made in a millisecond, and every TLS client speaks it.
const ALGORITHM = { name: 'ECDSA', namedCurve: 'P-256', hash: 'SHA-256' };

x509.cryptoProvider.set(webcrypto);

/**
 * The rendezvous' certificate, kept in `dir`: a local CA (made once, kept so that users'
 * NODE_EXTRA_CA_CERTS stays valid) and a server certificate it signs for every host given
 * (IPs as IP names, the others as DNS names; 127.0.0.1 and localhost always), made anew
 * when the hosts change or it nears its end. Keys are written 0600, the CA certificate 0644.
 */
export async function ensureRendezvousCertificate(
  dir: string,
  hosts: string[],
): Promise<RendezvousCertificate> {
  const names = certificateNames(hosts);
  await mkdir(dir, { recursive: true });
  const caFile = path.join(dir, CA_FILE);

  let ca = await readCa(dir);
  const caCreated = ca === null;
  if (!ca) {
    ca = await createCa();
    await writeAtomically(path.join(dir, CA_KEY_FILE), ca.keyPem, 0o600);
    await writeAtomically(caFile, ca.certPem, 0o644);
  }
  let server = caCreated ? null : await readServer(dir, ca.cert, names);
  if (!server) {
    server = await createServer(ca, names);
    await writeAtomically(path.join(dir, KEY_FILE), server.key, 0o600);
    await writeAtomically(path.join(dir, CERT_FILE), server.cert, 0o644);
  }
  return { key: server.key, cert: server.cert, caFile, caCreated };
}

/** The names a server certificate holds: IPs and DNS names, canonical, sorted, unique. */
export function certificateNames(hosts: string[]): string[] {
  const names = new Set<string>();
  for (const host of [...ALWAYS, ...hosts]) {
    const name = canonicalName(host);
    // A wildcard bind address is no name a client connects to.
    if (name !== '0.0.0.0' && name !== '::') names.add(name);
  }
  return [...names].sort();
}

function canonicalName(host: string): string {
  const bare = host.trim().replace(/^\[(.*)\]$/, '$1');
  if (isIP(bare) === 6) return new URL(`http://[${bare}]`).hostname.slice(1, -1);
  if (isIP(bare) === 4) return bare;
  const name = bare.toLowerCase().replace(/\.$/, '');
  if (!/^(\*\.)?[a-z0-9]([a-z0-9-]*[a-z0-9])?(\.[a-z0-9]([a-z0-9-]*[a-z0-9])?)*$/.test(name)) {
    throw new Error(`Not a host name or IP address for the rendezvous certificate: ${host}`);
  }
  return name;
}

interface Ca {
  cert: X509Certificate;
  certPem: string;
  keyPem: string;
}

async function readCa(dir: string): Promise<Ca | null> {
  const certPem = await readOptional(path.join(dir, CA_FILE));
  const keyPem = await readOptional(path.join(dir, CA_KEY_FILE));
  if (certPem === null || keyPem === null) return null;
  try {
    const cert = new X509Certificate(certPem);
    const usable = cert.ca && cert.checkPrivateKey(createPrivateKey(keyPem)) && lastsLong(cert);
    return usable ? { cert, certPem, keyPem } : null;
  } catch {
    return null;
  }
}

async function readServer(
  dir: string,
  ca: X509Certificate,
  names: string[],
): Promise<{ key: string; cert: string } | null> {
  const cert = await readOptional(path.join(dir, CERT_FILE));
  const key = await readOptional(path.join(dir, KEY_FILE));
  if (cert === null || key === null) return null;
  try {
    const parsed = new X509Certificate(cert);
    const usable =
      parsed.checkIssued(ca) &&
      parsed.verify(ca.publicKey) &&
      parsed.checkPrivateKey(createPrivateKey(key)) &&
      lastsLong(parsed) &&
      sameNames(subjectAltNames(parsed), names);
    return usable ? { key, cert } : null;
  } catch {
    return null;
  }
}

/** The names of a certificate's subjectAltName, in `certificateNames`' form. */
export function subjectAltNames(cert: X509Certificate): string[] {
  return (cert.subjectAltName ?? '')
    .split(', ')
    .filter((entry) => entry.startsWith('DNS:') || entry.startsWith('IP Address:'))
    .map((entry) => canonicalName(entry.slice(entry.indexOf(':') + 1)))
    .sort();
}

function sameNames(a: string[], b: string[]): boolean {
  return a.length === b.length && a.every((name, i) => name === b[i]);
}

function lastsLong(cert: X509Certificate): boolean {
  return new Date(cert.validTo).getTime() - Date.now() > RENEW_BEFORE_MS;
}

async function createCa(): Promise<Ca> {
  const keys = await webcrypto.subtle.generateKey(ALGORITHM, true, ['sign', 'verify']);
  const now = new Date();
  const cert = await x509.X509CertificateGenerator.createSelfSigned({
    serialNumber: serialNumber(),
    name: 'CN=drydock rendezvous CA',
    notBefore: backdated(now),
    notAfter: new Date(now.getTime() + CA_DAYS * DAY_MS),
    keys,
    signingAlgorithm: ALGORITHM,
    extensions: [
      new x509.BasicConstraintsExtension(true, 0, true),
      new x509.KeyUsagesExtension(
        x509.KeyUsageFlags.keyCertSign | x509.KeyUsageFlags.cRLSign,
        true,
      ),
      await x509.SubjectKeyIdentifierExtension.create(keys.publicKey),
    ],
  });
  const certPem = cert.toString('pem');
  return {
    cert: new X509Certificate(certPem),
    certPem,
    keyPem: await privateKeyPem(keys.privateKey),
  };
}

async function createServer(ca: Ca, names: string[]): Promise<{ key: string; cert: string }> {
  const keys = await webcrypto.subtle.generateKey(ALGORITHM, true, ['sign', 'verify']);
  const caKey = await webcrypto.subtle.importKey(
    'pkcs8',
    createPrivateKey(ca.keyPem).export({ format: 'der', type: 'pkcs8' }),
    ALGORITHM,
    false,
    ['sign'],
  );
  const caCert = new x509.X509Certificate(ca.certPem);
  const now = new Date();
  const cert = await x509.X509CertificateGenerator.create({
    serialNumber: serialNumber(),
    subject: 'CN=drydock rendezvous',
    issuer: caCert.subject,
    notBefore: backdated(now),
    notAfter: new Date(now.getTime() + SERVER_DAYS * DAY_MS),
    publicKey: keys.publicKey,
    signingKey: caKey,
    signingAlgorithm: ALGORITHM,
    extensions: [
      new x509.BasicConstraintsExtension(false, undefined, true),
      new x509.KeyUsagesExtension(x509.KeyUsageFlags.digitalSignature, true),
      new x509.ExtendedKeyUsageExtension([x509.ExtendedKeyUsage.serverAuth]),
      new x509.SubjectAlternativeNameExtension(
        names.map((name) => ({ type: isIP(name) ? 'ip' : 'dns', value: name })),
      ),
      await x509.AuthorityKeyIdentifierExtension.create(caCert),
      await x509.SubjectKeyIdentifierExtension.create(keys.publicKey),
    ],
  });
  return { key: await privateKeyPem(keys.privateKey), cert: cert.toString('pem') };
}

/** 16 random bytes, the first below 0x80: a positive serial number, as RFC 5280 asks. */
function serialNumber(): string {
  const bytes = randomBytes(16);
  bytes[0] &= 0x7f;
  return bytes.toString('hex');
}

/** A clock a little behind ours still takes the certificate as valid. */
function backdated(now: Date): Date {
  return new Date(now.getTime() - 60 * 60_000);
}

async function privateKeyPem(key: webcrypto.CryptoKey): Promise<string> {
  const der = Buffer.from(await webcrypto.subtle.exportKey('pkcs8', key));
  return createPrivateKey({ key: der, format: 'der', type: 'pkcs8' })
    .export({ format: 'pem', type: 'pkcs8' })
    .toString();
}

async function readOptional(file: string): Promise<string | null> {
  try {
    return await readFile(file, 'utf8');
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return null;
    throw error;
  }
}

/** A reader never sees half a file; chmod as well, as writeFile's mode passes the umask. */
async function writeAtomically(file: string, content: string, mode: number): Promise<void> {
  const temporary = `${file}.${randomBytes(6).toString('hex')}.tmp`;
  await writeFile(temporary, content, { mode: 0o600 });
  await chmod(temporary, mode);
  await rename(temporary, file);
}
