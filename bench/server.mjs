// One benchmark server in its own process (pinned to a core by bench/run.mjs). It answers the
// orchestrator over IPC: { port } when listening; its CPU time and token-session store calls on 'stats'.
import { countedSessions, startApp } from './apps.mjs';

const [framework, variant] = process.argv.slice(2);
const { sessions, calls } = countedSessions();
const port = await startApp(framework, variant, sessions);
process.send({ port });
process.on('message', (message) => {
  if (message === 'stats') process.send({ cpu: process.cpuUsage(), calls: { ...calls } });
});
process.on('disconnect', () => process.exit(0));
