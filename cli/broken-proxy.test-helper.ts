// A deliberately wrong "third-party proxy" for tests of the proxy-command target: it listens
// where the template says and answers /_ping like a daemon, but it never forwards anything and
// answers every other request itself, so routing clauses fail with a transcript to show.
// Usage: node --import tsx cli/broken-proxy.test-helper.ts --listen unix:///path.sock [--guest role=unix:///…]...
import { rmSync } from 'node:fs';
import { createServer } from 'node:http';

const listenIndex = process.argv.indexOf('--listen');
const listen = listenIndex === -1 ? undefined : process.argv[listenIndex + 1];
if (listen === undefined || !listen.startsWith('unix://')) {
  process.stderr.write('broken-proxy: --listen unix:///path.sock is required\n');
  process.exit(2);
}
const path = listen.slice('unix://'.length);

const server = createServer((request, response) => {
  process.stderr.write(`broken-proxy: answering ${request.method} ${request.url} myself\n`);
  request.resume();
  if (request.url?.endsWith('/_ping')) {
    response.writeHead(200, { 'Content-Type': 'text/plain', 'Api-Version': '1.41' });
    response.end('OK');
    return;
  }
  response.writeHead(200, { 'Content-Type': 'application/json' });
  response.end('{"answeredBy":"broken-proxy"}\n');
});
server.listen(path, () => process.stderr.write(`broken-proxy: listening on ${path}\n`));
const stop = (): void => {
  server.close();
  server.closeAllConnections();
  rmSync(path, { force: true });
  process.exit(0);
};
process.on('SIGTERM', stop);
process.on('SIGINT', stop);
