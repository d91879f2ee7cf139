// What the engine takes from its runtime: random tokens, SHA-256, UTF-8 lengths and the default store; the web's own unless a Node entry put Node's in their place.
import { mapStore } from '../store/map-store';
import type { ExpressSessionStore } from '../store/types';
import { base64url, sha256Base64url } from './sha256';

export interface Platform {
  /** A new token: 32 random bytes, base64url (43 characters). */
  randomToken(): string;
  /** SHA-256 of the UTF-8 bytes of `text`, base64url. */
  sha256(text: string): string;
  /** The length of `text` in UTF-8 bytes. */
  utf8Bytes(text: string): number;
  /** The store of an engine given none, keeping sessions `ttlSeconds` unless told otherwise. */
  defaultStore(ttlSeconds: number): ExpressSessionStore;
}

const encoder = new TextEncoder();

/**
 * Only what every runtime has (WebCrypto's random bytes, TextEncoder), so the path the
 * web-standard adapters load imports nothing from `node:`, and draws nothing at import: workerd
 * refuses random bytes outside a request.
 */
const web: Platform = {
  randomToken: () => base64url(crypto.getRandomValues(new Uint8Array(32))),
  sha256: sha256Base64url,
  utf8Bytes: (text) => encoder.encode(text).length,
  defaultStore: (ttlSeconds) => mapStore(ttlSeconds),
};

/** The platform the engine runs on: read at each use, so an entry's `usePlatform` reaches engines made after it. */
export const platform: Platform = { ...web };

/** Put in place by the Node entries (src/platform/node.ts): node:crypto and session-memory-store are faster there, and 1.x's default. */
export function usePlatform(chosen: Platform): void {
  Object.assign(platform, chosen);
}
