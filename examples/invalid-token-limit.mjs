// A brute-force guard for token guessing: token-session reports every request whose token opens
// no session (onInvalidToken); this counts them per client address and answers 429 once a client
// has sent `limit` of them within `windowMs`, before any store lookup. In-process only: with several
// processes, keep the counts in Redis (or use a rate-limiting package's store) instead of a Map.
export function invalidTokenLimit({ limit = 20, windowMs = 60_000, addressOf = (req) => req.socket.remoteAddress } = {}) {
  const failures = new Map(); // address -> { count, resetAt }

  const blocked = (address) => {
    const entry = failures.get(address);
    if (entry && entry.resetAt <= Date.now()) failures.delete(address);
    return (failures.get(address)?.count ?? 0) >= limit;
  };

  return {
    /** For token-session's `onInvalidToken` option. */
    onInvalidToken({ request }) {
      const address = addressOf(request);
      const entry = failures.get(address);
      if (entry && entry.resetAt > Date.now()) entry.count += 1;
      else failures.set(address, { count: 1, resetAt: Date.now() + windowMs });
    },
    /** Connect-style middleware, registered before token-session's. */
    middleware(req, res, next) {
      if (!blocked(addressOf(req))) return next();
      res.statusCode = 429;
      const seconds = Math.ceil(windowMs / 1000);
      res.setHeader('retry-after', String(seconds));
      res.setHeader('content-type', 'application/json');
      // The shape of token-session's own 401 bodies: `message` is the part a page shows its user.
      res.end(JSON.stringify({ statusCode: 429, error: 'Too Many Requests', message: `Too many requests with an invalid session token: try again in ${seconds} s.` }));
    },
  };
}
