import type { ExpressSessionStore } from '../../src';

/** How a switchable store's method misbehaves. */
export type Fault = 'errors' | 'throws' | 'never answers' | 'errors, then answers again' | 'answers after 100 ms';
export const FAULTS: Fault[];

export interface SwitchableStore extends ExpressSessionStore {
  /** What the store holds: JSON strings by key. */
  readonly map: Map<string, string>;
  /** The methods made to misbehave, and how. */
  faults: Map<'get' | 'set' | 'destroy', Fault>;
}

export function switchableStore(): SwitchableStore;
