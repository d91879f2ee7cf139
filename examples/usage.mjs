/** What every example server prints when it is up: where it listens and how to try it. */
export function usage(framework, port, { page = false } = {}) {
  const url = `http://127.0.0.1:${port}`;
  console.log(`token-session ${framework} example listening on ${url}
${page ? `\nOpen ${url}/ in a browser for the demo page.\n` : ''}
Try it:
  TOKEN=$(curl -s -X POST '${url}/login?user=ana' | sed -E 's/.*"token":"([^"]+)".*/\\1/')
  curl -s -X POST ${url}/count -H "x-session-token: $TOKEN"    # {"count":1}
  curl -s ${url}/me -H "x-session-token: $TOKEN"               # {"user":"ana","count":1}
  curl -s -X POST ${url}/logout -H "x-session-token: $TOKEN"   # {"ok":true}
  curl -s ${url}/me -H "x-session-token: $TOKEN"               # 401: the session is gone
`);
}
