// The commit planner without HTTP or a store: every combination of what was asked and what is stored gives its plan and reason.
import { buildsOnStored, commitReason, intentOf, planCommit, type CommitIntent, type CommitReason, type PlanRules } from '../../src/core/commit-plan';
import { buildRecord, expiresAt, type SessionRecord } from '../../src/store/record';

type Data = Record<string, unknown>;
const T0 = Date.UTC(2026, 0, 1);
const TTL = 60_000; // default touchAfter for it: min(60 s, 30 s) = 30 s
const RULES: PlanRules = { absoluteTtlMs: undefined, touchAfterMs: undefined, autoTouch: true, maxDataBytes: 65536, ownerKey: 'user', metadata: false };
const LOADED: Data = { user: 'ana', count: 1 };

/** A record written at T0 with a 60 s TTL. */
const stored = (data: Data = LOADED, ttlMs = TTL): SessionRecord<Data> => buildRecord(data, ttlMs, T0, T0, RULES, { owner: 'ana' });
/** What a request that loaded LOADED under K1 asks for: `ask` overrides. */
const request = (ask: Partial<CommitIntent<Data>> = {}): CommitIntent<Data> =>
  ({ ...intentOf<Data>('K1', 'K1'), data: { ...LOADED }, baseline: LOADED, touch: 'auto', ...ask });

const SOON = T0 + 10_000; // no touch due
const LATER = T0 + 31_000; // a touch due
const fresh = { ttlMs: TTL, createdAt: SOON };

interface Case {
  name: string;
  intent: CommitIntent<Data>;
  stored: SessionRecord<Data> | null;
  now?: number;
  rules?: Partial<PlanRules>;
  reason: CommitReason;
  write?: string | null;
  erase?: string | null;
}

const CASES: Case[] = [
  // No session before the request.
  { name: 'no session before or after', intent: intentOf('K1', null, { from: null }), stored: null, reason: null },
  { name: 'created', intent: intentOf(null, 'K2', { fresh, data: { n: 1 } }), stored: null, reason: 'write-new', write: 'K2', erase: null },
  { name: 'created, then destroyed in the same request', intent: intentOf(null, null, { fresh, data: { n: 1 } }), stored: null, reason: null },
  { name: 'a token moved to with nothing stored', intent: intentOf(null, 'K2'), stored: null, reason: 'gone' },
  // A session loaded (or written) by the request.
  { name: 'loaded, nothing changed, no touch due', intent: request(), stored: stored(), now: SOON, reason: null },
  { name: 'loaded, nothing changed, touch due', intent: request(), stored: stored(), now: LATER, reason: 'touch', write: 'K1', erase: null },
  { name: 'touch due, autoTouch off', intent: request(), stored: stored(), now: LATER, rules: { autoTouch: false }, reason: null },
  { name: 'touch due, autoTouch off, touchAfter 0', intent: request(), stored: stored(), now: LATER, rules: { autoTouch: false, touchAfterMs: 0 }, reason: null },
  { name: 'explicit touch, none due, autoTouch off', intent: request({ touch: 'force' }), stored: stored(), now: SOON, rules: { autoTouch: false }, reason: 'touch', write: 'K1' },
  { name: 'getAndTouch (due) with autoTouch off, touch due', intent: request({ touch: 'due' }), stored: stored(), now: LATER, rules: { autoTouch: false }, reason: 'touch' },
  { name: 'getAndTouch (due), none due', intent: request({ touch: 'due' }), stored: stored(), now: SOON, reason: null },
  { name: 'getNotTouch (never), touch due', intent: request({ touch: 'never' }), stored: stored(), now: LATER, reason: null },
  { name: 'data changed', intent: request({ data: { ...LOADED, count: 2 } }), stored: stored(), now: SOON, reason: 'merge', write: 'K1', erase: null },
  { name: 'data changed and touch due: the write restarts the TTL', intent: request({ data: { ...LOADED, count: 2 } }), stored: stored(), now: LATER, reason: 'merge', write: 'K1' },
  { name: 'data changed, explicit save()/touch()', intent: request({ data: { ...LOADED, count: 2 }, touch: 'force' }), stored: stored(), now: SOON, reason: 'merge' },
  { name: 'data changed, session gone meanwhile', intent: request({ data: { ...LOADED, count: 2 } }), stored: null, reason: 'gone', write: null, erase: null },
  { name: 'data replaced whole (set)', intent: intentOf('K1', 'K1', { data: { other: true }, baseline: null }), stored: stored(), now: SOON, reason: 'merge', write: 'K1' },
  { name: 'a new TTL (setWttl)', intent: intentOf('K1', 'K1', { data: LOADED, baseline: null, ttlMs: 5000 }), stored: stored(), now: SOON, reason: 'merge' },
  { name: 'regenerated', intent: request({ to: 'K2' }), stored: stored(), now: SOON, reason: 'move', write: 'K2', erase: 'K1' },
  { name: 'regenerated and changed', intent: request({ to: 'K2', data: { ...LOADED, count: 2 } }), stored: stored(), now: SOON, reason: 'move', write: 'K2', erase: 'K1' },
  { name: 'regenerated, session gone meanwhile', intent: request({ to: 'K2' }), stored: null, reason: 'gone' },
  { name: 'explicit touch, session gone', intent: request({ touch: 'force' }), stored: null, reason: 'gone' },
  { name: 'created over a loaded session', intent: request({ to: 'K2', fresh, data: { n: 1 } }), stored: stored(), now: SOON, reason: 'write-new', write: 'K2', erase: 'K1' },
  { name: 'destroyed', intent: request({ to: null }), stored: stored(), now: SOON, reason: 'erase', write: null, erase: 'K1' },
  { name: 'destroyed after a change and a touch()', intent: request({ to: null, data: { x: 1 }, touch: 'force' }), stored: stored(), now: LATER, reason: 'erase', erase: 'K1' },
  { name: 'destroyed, already gone', intent: request({ to: null }), stored: null, reason: null },
  { name: 'created over a loaded session, then destroyed', intent: request({ to: null, fresh, data: { n: 1 } }), stored: stored(), now: SOON, reason: 'erase', erase: 'K1' },
];

describe.each(CASES)('$name', ({ intent, stored: record, now = SOON, rules = {}, reason, write, erase }) => {
  const planRules = { ...RULES, ...rules };

  test(`reason ${String(reason)}`, () => {
    expect(commitReason(intent, record, now, planRules)).toBe(reason);
    const plan = planCommit(intent, record, now, planRules);
    expect(plan?.reason ?? null).toBe(reason);
    if (write !== undefined) expect(plan?.key ?? null).toBe(write);
    if (erase !== undefined) expect(plan?.erase ?? null).toBe(erase);
  });
});

describe('what a plan writes', () => {
  test('a merge writes only the changed keys, onto the data as stored now (a key another request added is kept)', () => {
    const storedNow = stored({ ...LOADED, added: 'elsewhere' });
    const plan = planCommit(request({ data: { user: 'ana', count: 2 } }), storedNow, SOON, RULES)!;
    expect(plan.record!.data).toEqual({ user: 'ana', count: 2, added: 'elsewhere' });
  });

  test('a removed key is removed; a replacing write (set) drops what it does not name', () => {
    const removed = planCommit(request({ data: { user: 'ana' } }), stored({ ...LOADED, added: 1 }), SOON, RULES)!;
    expect(removed.record!.data).toEqual({ user: 'ana', added: 1 });
    const replaced = planCommit(intentOf<Data>('K1', 'K1', { data: { other: true }, baseline: null }), stored(), SOON, RULES)!;
    expect(replaced.record!.data).toEqual({ other: true });
  });

  test('every write restarts the idle TTL from now, keeps the creation time and the session\'s own TTL', () => {
    for (const intent of [request({ data: { count: 9 } }), request({ touch: 'force' }), request({ to: 'K2' })]) {
      const record = planCommit(intent, stored(LOADED, 7000), SOON, RULES)!.record!;
      expect(expiresAt(record)).toBe(SOON + 7000);
      expect(record.cookie.originalMaxAge).toBe(7000);
      expect(record.createdAt).toBe(T0);
    }
  });

  test('setWttl gives the session its new TTL', () => {
    const record = planCommit(intentOf<Data>('K1', 'K1', { data: LOADED, baseline: null, ttlMs: 5000 }), stored(), SOON, RULES)!.record!;
    expect(record.cookie.originalMaxAge).toBe(5000);
    expect(expiresAt(record)).toBe(SOON + 5000);
  });

  test('a new session is written whole with its own lifetime and owner; a one-time record has no owner', () => {
    const record = planCommit(intentOf<Data>(null, 'K2', { fresh, data: { user: 'bo' } }), null, SOON, RULES)!.record!;
    expect(record).toMatchObject({ data: { user: 'bo' }, createdAt: SOON, owner: 'bo' });
    expect(expiresAt(record)).toBe(SOON + TTL);
    const once = planCommit(intentOf<Data>(null, 'K3', { fresh, data: { user: 'bo' }, once: true }), null, SOON, RULES)!.record!;
    expect(once.once).toBe(true);
    expect(once.owner).toBeUndefined();
  });

  test('a move or touch writes the data as stored, not as the caller last saw it', () => {
    const storedNow = stored({ ...LOADED, added: 1 });
    expect(planCommit(request({ to: 'K2' }), storedNow, SOON, RULES)!.record!.data).toEqual({ ...LOADED, added: 1 });
    expect(planCommit(request({ touch: 'force' }), storedNow, SOON, RULES)!.record!.data).toEqual({ ...LOADED, added: 1 });
  });

  test('data that cannot be stored is refused with ERR_INVALID_DATA', () => {
    expect(() => planCommit(request({ data: { at: new Date() } }), stored(), SOON, RULES)).toThrow(expect.objectContaining({ code: 'ERR_INVALID_DATA' }));
    expect(() => planCommit(request({ data: { big: 'x'.repeat(100) } }), stored(), SOON, { ...RULES, maxDataBytes: 50 })).toThrow(expect.objectContaining({ code: 'ERR_INVALID_DATA' }));
  });
});

describe('when a touch is due', () => {
  const due = (record: SessionRecord<Data>, now: number, rules: Partial<PlanRules> = {}) => commitReason(request(), record, now, { ...RULES, ...rules }) === 'touch';

  test('by default after min(60 s, the session\'s own TTL / 2): a 2 s session after 1 s, a 1 h one after 60 s', () => {
    expect(due(stored(LOADED, 2000), T0 + 900)).toBe(false);
    expect(due(stored(LOADED, 2000), T0 + 1000)).toBe(true);
    expect(due(stored(LOADED, 3_600_000), T0 + 59_000)).toBe(false);
    expect(due(stored(LOADED, 3_600_000), T0 + 60_000)).toBe(true);
  });

  test('touchAfter, when set, is the same for every session; 0 is every time', () => {
    expect(due(stored(LOADED, 2000), T0 + 1500, { touchAfterMs: 5000 })).toBe(false);
    expect(due(stored(), T0 + 1, { touchAfterMs: 0 })).toBe(true);
  });

  test('never at the absolute deadline, where the expiry cannot move, even with touchAfter 0', () => {
    const rules = { absoluteTtlMs: 60_000, touchAfterMs: 0 };
    const capped = buildRecord(LOADED, TTL, T0, T0 + 30_000, { absoluteTtlMs: 60_000 }, {}); // expires at the deadline, T0 + 60 s
    expect(due(capped, T0 + 40_000, rules)).toBe(false);
    expect(commitReason(request({ touch: 'force' }), capped, T0 + 40_000, { ...RULES, ...rules })).toBe('touch'); // explicit: always written
  });
});

test('planned again against a later read, a change or a move stays one while the session is stored; the rest is decided again', () => {
  const changed = request({ data: { ...LOADED, count: 2 } });
  expect(planCommit(changed, stored(), SOON, RULES, 'merge')?.reason).toBe('merge');
  expect(planCommit(changed, null, SOON, RULES, 'merge')?.reason).toBe('gone');
  expect(planCommit(request({ to: 'K2' }), null, SOON, RULES, 'move')?.reason).toBe('gone');
  // A touch due at the first read, but another request touched the session since: nothing to do.
  expect(planCommit(request(), stored(LOADED, TTL), T0 + 1000, RULES, 'touch')).toBeNull();
});

test('the plans made against the stored record are exactly those that must be made again when they run', () => {
  expect((['erase', 'write-new', 'move', 'merge', 'touch', 'gone', null] as CommitReason[]).filter(buildsOnStored)).toEqual(['move', 'merge', 'touch', 'gone']);
});

describe('every combination, against the contract of README "How a request is committed"', () => {
  const flags = ['sessionAfter', 'stored', 'created', 'moved', 'changed', 'touchDue', 'autoTouch', 'explicitTouch'] as const;
  type Combination = Record<(typeof flags)[number], boolean>;
  const combinations: Combination[] = Array.from({ length: 2 ** flags.length }, (_, bits) =>
    Object.fromEntries(flags.map((flag, i) => [flag, Boolean(bits & (1 << i))])) as Combination);

  /** The contract, read off DESIGN.md and the issue, one clause per line. */
  function expected(c: Combination): CommitReason {
    if (!c.sessionAfter) return c.stored ? 'erase' : null; // destroy(): erase what is stored, if anything
    if (c.created) return 'write-new'; // create(): written whole, whatever was stored
    if (!c.stored) return 'gone'; // builds on a session the store no longer has: nothing is written
    if (c.moved) return 'move'; // regenerate(): a new token, with the changes
    if (c.changed) return 'merge'; // the changed keys, onto the data as stored
    if (c.explicitTouch) return 'touch'; // touch() always writes
    return c.autoTouch && c.touchDue ? 'touch' : null; // an automatic touch only with autoTouch, when due
  }

  test.each(combinations)('%p', (c) => {
    const to = !c.sessionAfter ? null : c.created || c.moved ? 'K2' : 'K1';
    const intent = request({
      to,
      fresh: c.created ? fresh : null,
      data: c.changed ? { ...LOADED, count: 2 } : { ...LOADED },
      touch: c.explicitTouch ? 'force' : 'auto',
    });
    const plan = planCommit(intent, c.stored ? stored() : null, c.touchDue ? LATER : SOON, { ...RULES, autoTouch: c.autoTouch });
    expect(plan?.reason ?? null).toBe(expected(c));
    // Whatever the reason: a write goes to the session's key afterwards; an erase removes the key it started from.
    if (plan?.key) expect(plan.key).toBe(to);
    if (plan?.erase) expect(plan.erase).toBe('K1');
  });
});
