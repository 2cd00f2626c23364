/**
 * The store's signing key: what makes the records forgery-evident to someone who can write the
 * database but not read this file.
 *
 * - Every audit record's hash is signed with Ed25519 (node:crypto). The hash chains every record
 *   before it, so a valid signature on a record vouches for the whole log up to it; a rewritten
 *   chain cannot be re-signed without the key.
 * - Every ledger movement carries an HMAC-SHA256 under a key derived from the same private key
 *   (HKDF): a forged movement, or one altered or copied, no longer matches. (A MAC rather than a
 *   signature: 6 µs against 50 µs to make and 195 µs to check, on the reservation hot path; it is
 *   checked by whoever holds the key file, i.e. `aidr ledger verify` on the operator's side.)
 *
 * The key lives in a file, never in the database: created with the store (0600), by default in
 * the data directory (`aidr-signing.key`), elsewhere with AIDR_SIGNING_KEY / `--signing-key`. Its
 * public half is written beside it (`.pub`) for verifiers who should not hold the private key.
 * The file also records `since`: the first audit sequence number the key signs (1 for a new
 * store; the next one for a store that had records before signing existed) and a digest of the
 * ledger movements that existed unsigned at that moment, so that "unsigned because older" cannot
 * be claimed by a forgery.
 */
import { createHash, createHmac, createPrivateKey, createPublicKey, generateKeyPairSync, hkdfSync, randomBytes, sign, verify, type KeyObject } from 'node:crypto';
import { chmodSync, linkSync, mkdirSync, readFileSync, unlinkSync, writeFileSync } from 'node:fs';
import { dirname } from 'node:path';

/** Where signing starts, and what was there before it. */
export interface KeySince {
  /** The first audit sequence number signed with this key. */
  audit: number;
  /** Ledger movements that existed, unsigned, when the key was created: their count and digest (see `legacyDigest`). */
  legacyMovements: { count: number; digest: string };
}

interface PrivateKeyFile {
  aidr: 'signing-key';
  version: 1;
  keyId: string;
  createdAt: string;
  /** The store the key was created for (informational). */
  store: string;
  since: KeySince;
  privateKey: string;
}

export interface PublicKeyFile {
  aidr: 'signing-public-key';
  version: 1;
  keyId: string;
  since: KeySince;
  publicKey: string;
}

/** A key that can check signatures (the public half, and `since`). */
export interface TrustedKey {
  keyId: string;
  since: KeySince;
  publicKey: KeyObject;
}

const RECORD_CONTEXT = 'aidr-audit-record-v1:';
const CHECKPOINT_CONTEXT = 'aidr-checkpoint-v1:';
const MAC_INFO = 'aidr ledger movement mac v1';

export class SigningKeyError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'SigningKeyError';
  }
}

/** The private key in use: signs audit records and checkpoints, MACs movements. */
export class Signer implements TrustedKey {
  private readonly macKey: Buffer;
  constructor(readonly keyId: string, readonly since: KeySince, private readonly privateKey: KeyObject, readonly publicKey: KeyObject, readonly path: string) {
    const d = Buffer.from((privateKey.export({ format: 'jwk' }) as { d: string }).d, 'base64url');
    this.macKey = Buffer.from(hkdfSync('sha256', d, Buffer.alloc(0), MAC_INFO, 32));
  }

  signRecord(hash: string): string {
    return sign(null, Buffer.from(RECORD_CONTEXT + hash), this.privateKey).toString('base64');
  }

  signCheckpoint(payload: string): string {
    return sign(null, Buffer.from(CHECKPOINT_CONTEXT + payload), this.privateKey).toString('base64');
  }

  /** HMAC-SHA256 of a movement's canonical text, hex. */
  mac(text: string): string {
    return createHmac('sha256', this.macKey).update(text, 'utf8').digest('hex');
  }
}

export function verifyRecordSignature(key: TrustedKey, hash: string, signature: string): boolean {
  try {
    return verify(null, Buffer.from(RECORD_CONTEXT + hash), key.publicKey, Buffer.from(signature, 'base64'));
  } catch {
    return false;
  }
}

export function verifyCheckpointSignature(key: TrustedKey, payload: string, signature: string): boolean {
  try {
    return verify(null, Buffer.from(CHECKPOINT_CONTEXT + payload), key.publicKey, Buffer.from(signature, 'base64'));
  } catch {
    return false;
  }
}

export function keyIdOf(publicKey: KeyObject): string {
  return createHash('sha256').update(publicKey.export({ format: 'der', type: 'spki' })).digest('hex').slice(0, 16);
}

export const publicKeyPath = (path: string): string => `${path}.pub`;

/** The key at `path`, or undefined when there is no file there. */
export function loadSigner(path: string): Signer | undefined {
  let text: string;
  try {
    text = readFileSync(path, 'utf8');
  } catch (e) {
    if ((e as NodeJS.ErrnoException).code === 'ENOENT') return undefined;
    throw new SigningKeyError(`cannot read the signing key ${path}: ${(e as NodeJS.ErrnoException).code ?? (e as Error).message}`);
  }
  let f: PrivateKeyFile;
  try {
    f = JSON.parse(text) as PrivateKeyFile;
    if (f.aidr !== 'signing-key' || f.version !== 1) throw new Error('not an aidr signing key');
  } catch (e) {
    throw new SigningKeyError(`${path} is not an aidr signing key (${(e as Error).message})`);
  }
  const privateKey = createPrivateKey(f.privateKey);
  const publicKey = createPublicKey(privateKey);
  const keyId = keyIdOf(publicKey);
  if (keyId !== f.keyId) throw new SigningKeyError(`${path}: the key id in the file (${f.keyId}) does not match its key (${keyId})`);
  return new Signer(keyId, f.since, privateKey, publicKey, path);
}

/** A public key file (`.pub`, or the private key file itself) as a key that checks signatures. */
export function loadTrustedKey(path: string): TrustedKey {
  let f: PublicKeyFile | PrivateKeyFile;
  try {
    f = JSON.parse(readFileSync(path, 'utf8')) as PublicKeyFile | PrivateKeyFile;
  } catch (e) {
    throw new SigningKeyError(`cannot read the key ${path}: ${(e as NodeJS.ErrnoException).code ?? (e as Error).message}`);
  }
  if (f.aidr === 'signing-key') {
    const s = loadSigner(path)!;
    return { keyId: s.keyId, since: s.since, publicKey: s.publicKey };
  }
  if (f.aidr !== 'signing-public-key') throw new SigningKeyError(`${path} is not an aidr key file`);
  const publicKey = createPublicKey(f.publicKey);
  if (keyIdOf(publicKey) !== f.keyId) throw new SigningKeyError(`${path}: the key id does not match the key`);
  return { keyId: f.keyId, since: f.since, publicKey };
}

/**
 * Create the key at `path` (and its `.pub`), unless another process just did: the file appears
 * whole or not at all (written aside, then hard-linked into place), and the loser reads the
 * winner's key.
 */
export function createSigner(path: string, since: KeySince, store: string): Signer {
  mkdirSync(dirname(path), { recursive: true });
  const { privateKey, publicKey } = generateKeyPairSync('ed25519');
  const keyId = keyIdOf(publicKey);
  const file: PrivateKeyFile = {
    aidr: 'signing-key', version: 1, keyId, createdAt: new Date().toISOString(), store, since,
    privateKey: privateKey.export({ format: 'pem', type: 'pkcs8' }) as string,
  };
  const tmp = `${path}.${process.pid}.${randomBytes(4).toString('hex')}.tmp`;
  writeFileSync(tmp, `${JSON.stringify(file, null, 2)}\n`, { mode: 0o600, flag: 'wx' });
  try {
    linkSync(tmp, path);
  } catch (e) {
    if ((e as NodeJS.ErrnoException).code !== 'EEXIST') throw e;
    return loadSigner(path)!;
  } finally {
    unlinkSync(tmp);
  }
  chmodSync(path, 0o600);
  const pub: PublicKeyFile = { aidr: 'signing-public-key', version: 1, keyId, since, publicKey: publicKey.export({ format: 'pem', type: 'spki' }) as string };
  writeFileSync(publicKeyPath(path), `${JSON.stringify(pub, null, 2)}\n`, { mode: 0o644 });
  return new Signer(keyId, since, privateKey, publicKey, path);
}
