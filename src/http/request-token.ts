// Where the token travels: read from the header or the query, and checked for shape before any store call.
import type { IncomingHttpHeaders } from 'node:http';
import { isTokenShaped } from '../core/tokens';
import type { ResolvedHttpOptions } from './options';

/** The token a request presented: `token` is null when none was sent or it was malformed. */
export interface PresentedToken {
  token: string | null;
  /** Whether the client sent something in the token's place (for RFC 6750's `invalid_token`). */
  presented: boolean;
}

/**
 * The part of a request the token is read from: Node's request (every Node framework exposes
 * it), or the web's `Request` (its `Headers`, and its URL, absolute).
 */
export interface RawRequest {
  headers: IncomingHttpHeaders | Headers;
  url?: string | undefined;
}

const NONE: PresentedToken = { token: null, presented: false };
const MALFORMED: PresentedToken = { token: null, presented: true };
const BEARER = /^Bearer +([^ ]+) *$/i;

/**
 * Reads the token from the configured header, else from the query parameter when enabled.
 * Only a single, well-shaped string counts: a repeated header or parameter, an oversized or
 * malformed value is "no session", decided here before any store call.
 */
export function readPresentedToken(req: RawRequest, options: ResolvedHttpOptions): PresentedToken {
  const { headers } = req;
  // A Node request's headers are a plain object, whose `get` (a header of that name) is never a function.
  const value = typeof headers.get === 'function' ? (headers as Headers).get(options.header) ?? undefined : (headers as IncomingHttpHeaders)[options.header];
  const fromHeader = fromHeaderValue(value, options.bearer);
  if (fromHeader !== NONE || options.query === undefined) return fromHeader;
  return fromQuery(req.url, options.query);
}

function fromHeaderValue(value: string | string[] | undefined, bearer: boolean): PresentedToken {
  if (value === undefined || value === '') return NONE;
  if (typeof value !== 'string') return MALFORMED;
  if (!bearer) return checked(value);
  // Another scheme (Basic, ...) is not an attempt at our token.
  const match = BEARER.exec(value);
  return match ? checked(match[1]) : NONE;
}

function fromQuery(url: string | undefined, name: string): PresentedToken {
  const start = url?.indexOf('?') ?? -1;
  if (start === -1) return NONE;
  const values = new URLSearchParams(url!.slice(start + 1)).getAll(name);
  if (values.length === 0) return NONE;
  return values.length === 1 ? checked(values[0]) : MALFORMED;
}

function checked(candidate: string | undefined): PresentedToken {
  return isTokenShaped(candidate) ? { token: candidate, presented: true } : MALFORMED;
}
