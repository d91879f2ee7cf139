// SHA-256 (FIPS 180-4) in plain JavaScript, for runtimes without node:crypto: WebCrypto's digest only answers by promise, and the engine derives store keys and public ids at once.

/** The first 32 bits of the fractional parts of the square roots (initial hash) and cube roots (round constants) of the first primes. */
const PRIMES = firstPrimes(64);
const INITIAL = Uint32Array.from(PRIMES.slice(0, 8), (p) => fractionBits(Math.sqrt(p)));
const ROUND = Uint32Array.from(PRIMES, (p) => fractionBits(Math.cbrt(p)));

const encoder = new TextEncoder();
const schedule = new Uint32Array(64);
const state = new Uint32Array(8);

/** SHA-256 of the UTF-8 bytes of `text`, as unpadded base64url (43 characters). */
export function sha256Base64url(text: string): string {
  return base64url(sha256(encoder.encode(text)));
}

export function sha256(bytes: Uint8Array): Uint8Array {
  // The message, a 1 bit, zeros, and its length in bits as 64 bits: a whole number of 64-byte blocks, as big-endian words.
  const blockCount = Math.ceil((bytes.length + 9) / 64);
  const words = new Uint32Array(blockCount * 16);
  for (let i = 0; i < bytes.length; i += 1) words[i >> 2]! |= bytes[i]! << (24 - 8 * (i & 3));
  words[bytes.length >> 2]! |= 0x80 << (24 - 8 * (bytes.length & 3));
  words[words.length - 2] = Math.floor(bytes.length / 0x20000000);
  words[words.length - 1] = (bytes.length * 8) >>> 0;

  state.set(INITIAL);
  for (let block = 0; block < words.length; block += 16) compress(words, block);
  const digest = new Uint8Array(32);
  for (let i = 0; i < 32; i += 1) digest[i] = state[i >> 2]! >>> (24 - 8 * (i & 3));
  return digest;
}

function compress(words: Uint32Array, offset: number): void {
  const w = schedule;
  for (let t = 0; t < 16; t += 1) w[t] = words[offset + t]!;
  for (let t = 16; t < 64; t += 1) {
    const x = w[t - 15]!;
    const y = w[t - 2]!;
    const s0 = rotr(x, 7) ^ rotr(x, 18) ^ (x >>> 3);
    const s1 = rotr(y, 17) ^ rotr(y, 19) ^ (y >>> 10);
    w[t] = w[t - 16]! + s0 + w[t - 7]! + s1;
  }
  let [a, b, c, d, e, f, g, h] = state as unknown as [number, number, number, number, number, number, number, number];
  for (let t = 0; t < 64; t += 1) {
    const t1 = (h + (rotr(e, 6) ^ rotr(e, 11) ^ rotr(e, 25)) + ((e & f) ^ (~e & g)) + ROUND[t]! + w[t]!) | 0;
    const t2 = ((rotr(a, 2) ^ rotr(a, 13) ^ rotr(a, 22)) + ((a & b) ^ (a & c) ^ (b & c))) | 0;
    h = g;
    g = f;
    f = e;
    e = (d + t1) | 0;
    d = c;
    c = b;
    b = a;
    a = (t1 + t2) | 0;
  }
  state[0]! += a;
  state[1]! += b;
  state[2]! += c;
  state[3]! += d;
  state[4]! += e;
  state[5]! += f;
  state[6]! += g;
  state[7]! += h;
}

function rotr(x: number, n: number): number {
  return (x >>> n) | (x << (32 - n));
}

function fractionBits(root: number): number {
  return ((root - Math.floor(root)) * 0x100000000) >>> 0;
}

function firstPrimes(count: number): number[] {
  const primes: number[] = [];
  for (let n = 2; primes.length < count; n += 1) if (primes.every((p) => n % p !== 0)) primes.push(n);
  return primes;
}

const ALPHABET = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_';

/** Unpadded base64url, as Node's `toString('base64url')` writes it. */
export function base64url(bytes: Uint8Array): string {
  let out = '';
  for (let i = 0; i < bytes.length; i += 3) {
    const n = (bytes[i]! << 16) | ((bytes[i + 1] ?? 0) << 8) | (bytes[i + 2] ?? 0);
    out += ALPHABET[n >>> 18]! + ALPHABET[(n >>> 12) & 63]!;
    if (i + 1 < bytes.length) out += ALPHABET[(n >>> 6) & 63]!;
    if (i + 2 < bytes.length) out += ALPHABET[n & 63]!;
  }
  return out;
}
