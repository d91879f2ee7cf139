// The engine's platform where Node's built-ins exist (Node, Bun, Deno): uid-safe and node:crypto for tokens and keys, session-memory-store by default, as in 1.x.
import * as crypto from 'node:crypto';
import uid = require('uid-safe');
import { usePlatform, type Platform } from '../core/platform';
import { createDefaultStore } from '../store/memory';

// crypto.hash (Node 20.12+) hashes in one call, without the Hash object createHash makes:
// this runs on every request that carries a token.
const sha256: (text: string) => string =
  typeof crypto.hash === 'function'
    ? (text) => crypto.hash('sha256', text, 'base64url')
    : (text) => crypto.createHash('sha256').update(text).digest('base64url');

const node: Platform = {
  randomToken: () => uid.sync(32),
  sha256,
  utf8Bytes: (text) => Buffer.byteLength(text, 'utf8'),
  defaultStore: createDefaultStore,
};

/** Called by every entry that runs on Node only (the main one, the Node adapters, the stores), before any engine is made. */
export function useNodePlatform(): void {
  usePlatform(node);
}
