// The demo page: every call sends the token in the x-session-token header; no cookie is involved.
const STORAGE_KEY = 'token-session-demo';
const $ = (id) => document.getElementById(id);

/** What this tab knows: its token, and when its session expires (from the server's list). */
const state = { token: sessionStorage.getItem(STORAGE_KEY), expiresAt: null };

class SessionEnded extends Error {}
/** A 401 that asks for a recent sign-in (RFC 9470's insufficient_user_authentication): the session is fine. */
class NeedsFreshSignIn extends Error {}

/** A request the server refused, in the server's own words (its JSON body's `message`). */
class Refused extends Error {}

async function api(method, path) {
  const res = await fetch(path, { method, headers: state.token ? { 'x-session-token': state.token } : {} });
  if (res.status === 401 && (res.headers.get('www-authenticate') ?? '').includes('insufficient_user_authentication')) {
    throw new NeedsFreshSignIn(await messageOf(res));
  }
  if (res.status === 401 && state.token) {
    sessionEnded();
    throw new SessionEnded();
  }
  if (!res.ok) {
    const message = await messageOf(res);
    // The server knows what went wrong ("a name of 1 to 40 characters"); the status alone says little.
    throw message ? new Refused(message) : new Error(`${method} ${path} answered ${res.status}`);
  }
  return res.json();
}

/** The `message` of a JSON error body, or null: a proxy's HTML error page has none. */
async function messageOf(res) {
  const body = await res.json().catch(() => null);
  return typeof body?.message === 'string' && body.message !== '' ? body.message : null;
}

/** The server no longer knows our token: say why, as far as this tab can tell. */
function sessionEnded() {
  const expired = state.expiresAt !== null && Date.now() >= state.expiresAt - 1000;
  signedOut(expired
    ? `Your session expired at ${time(state.expiresAt)}: it had no request within its idle timeout. Sign in again.`
    : 'Your session was ended from another device ("End" in its list of devices, "Log out other devices" or "Log out everywhere"). Sign in again.');
}

function signedOut(message) {
  state.token = null;
  state.expiresAt = null;
  sessionStorage.removeItem(STORAGE_KEY);
  notice(message);
  $('signed-in').hidden = true;
  $('signed-out').hidden = false;
}

function notice(message) {
  $('notice').textContent = message ?? '';
  $('notice').hidden = !message;
}

const time = (ms) => new Date(ms).toLocaleTimeString();

async function showSignedIn() {
  const me = await api('GET', '/me');
  $('user').textContent = me.user;
  $('count').textContent = String(me.count);
  $('signed-out').hidden = true;
  $('signed-in').hidden = false;
  await refreshSessions();
}

async function refreshSessions() {
  const list = await api('GET', '/sessions');
  state.expiresAt = list.find((session) => session.current)?.expiresAt ?? null;
  const rows = list.map((session) => {
    const row = document.createElement('tr');
    row.className = session.current ? 'current' : '';
    row.dataset.id = session.id;
    const device = session.device ?? `…${session.id.slice(-8)}`;
    const cells = [session.current ? `${device} (this device)` : device, time(session.createdAt), session.lastSeenAt ? time(session.lastSeenAt) : '—', time(session.expiresAt)];
    for (const text of cells) row.append(Object.assign(document.createElement('td'), { textContent: text }));
    const action = document.createElement('td');
    if (!session.current) {
      const end = Object.assign(document.createElement('button'), { type: 'button', className: 'quiet end', textContent: 'End' });
      end.addEventListener('click', () => run(async () => {
        await api('POST', `/sessions/${encodeURIComponent(session.id)}/end`);
        await refreshSessions();
      }));
      action.append(end);
    }
    row.append(action);
    return row;
  });
  $('sessions').tBodies[0].replaceChildren(...rows);
  showExpiry();
  await refreshAudit();
}

async function refreshAudit() {
  const events = await api('GET', '/audit');
  $('audit').replaceChildren(...events.map(({ event, id, at }) => Object.assign(document.createElement('li'), {
    textContent: `${time(at)} ${event} …${id.slice(-8)}`,
    className: event,
  })));
}

/** The countdown; when it runs out, one request shows whether the session is really gone. */
function showExpiry() {
  if (state.expiresAt === null) return;
  const left = Math.ceil((state.expiresAt - Date.now()) / 1000);
  $('expiry').textContent = left > 120 ? `Expires at ${time(state.expiresAt)} without activity.` : `Expires in ${Math.max(left, 0)} s without activity.`;
}

setInterval(() => {
  if (state.token === null || state.expiresAt === null) return;
  showExpiry();
  if (Date.now() >= state.expiresAt) run(() => api('GET', '/me'));
}, 1000);

/** Runs a user action; an ended session has already been reported, any other failure is shown. */
function run(action) {
  return action().catch((err) => {
    if (err instanceof NeedsFreshSignIn) {
      $('password-status').textContent = err.message;
      $('confirm').hidden = false;
    } else if (err instanceof Refused) notice(err.message);
    else if (!(err instanceof SessionEnded)) notice(`Something went wrong: ${err.message}`);
  });
}

async function changePassword() {
  $('password-status').textContent = (await api('POST', '/change-password')).message;
  $('confirm').hidden = true;
}

$('login').addEventListener('submit', (event) => {
  event.preventDefault();
  run(async () => {
    const query = new URLSearchParams({ user: $('name').value });
    if ($('short').checked) query.set('short', '1');
    const { token } = await api('POST', `/login?${query}`);
    state.token = token;
    sessionStorage.setItem(STORAGE_KEY, token);
    notice(null);
    $('inbox').hidden = true;
    await showSignedIn();
  });
});

$('increment').addEventListener('click', () => run(async () => {
  $('count').textContent = String((await api('POST', '/count')).count);
  await refreshSessions();
}));

$('refresh').addEventListener('click', () => run(refreshSessions));

$('logout').addEventListener('click', () => run(async () => {
  await api('POST', '/logout');
  signedOut('Signed out.');
}));

$('logout-others').addEventListener('click', () => run(async () => {
  const { ended } = await api('POST', '/logout-others');
  notice(`Logged out your other devices: ${ended} session${ended === 1 ? '' : 's'} ended.`);
  await refreshSessions();
}));

$('change-password').addEventListener('click', () => run(changePassword));

// A fresh sign-in: a new token (the old one stops working), then the change it was asked for.
$('confirm').addEventListener('submit', (event) => {
  event.preventDefault();
  run(async () => {
    const { token } = await api('POST', `/reauthenticate?${new URLSearchParams({ user: $('confirm-name').value })}`);
    state.token = token;
    sessionStorage.setItem(STORAGE_KEY, token);
    await changePassword();
    await refreshSessions();
  });
});

$('logout-everywhere').addEventListener('click', () => run(async () => {
  const { ended } = await api('POST', '/logout-everywhere');
  signedOut(`Logged out everywhere: ${ended} session${ended === 1 ? '' : 's'} ended.`);
}));

$('email-link').addEventListener('click', () => run(async () => {
  const { link } = await api('POST', '/email-link');
  Object.assign($('link'), { href: link, textContent: link });
  $('inbox').hidden = false;
}));

if (state.token) run(showSignedIn);
else $('signed-out').hidden = false;
