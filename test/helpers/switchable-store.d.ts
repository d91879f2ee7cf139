// Types of switchable-store.js.
import type { ExpressSessionStore } from '../../src';

/** How a switchable store's method misbehaves. */
export type Fault = 'errors' | 'throws' | 'never answers' | 'errors, then answers again' | 'answers after 100 ms';
export const FAULTS: Fault[];

export interface SwitchableStore extends ExpressSessionStore {
  /** What the store holds: JSON strings by key. */
  readonly map: Map<string, string>;
  /** The methods made to misbehave, and how. */
  faults: Map<'get' | 'set' | 'destroy', Fault>;
  /** The methods made slow, and by how many ms: the call takes effect, and answers, that much later. */
  delays: Map<'get' | 'set' | 'destroy', number>;
}

export function switchableStore(): SwitchableStore;
