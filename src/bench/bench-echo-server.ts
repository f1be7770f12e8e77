import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { WebSocketServer } from 'ws';

/**
 * The benchmark's floor: a bare `ws` server that sends every text frame back unchanged.
 * Usage: `bench-echo-server.ts <port>`; prints `listening http://127.0.0.1:<port>`.
 */
function startEchoServer(port: number): void {
  const server = createServer((_request, response) => response.writeHead(404).end());
  const wss = new WebSocketServer({ server, perMessageDeflate: false });
  wss.on('connection', (ws) => {
    ws.on('message', (data, isBinary) => ws.send(data, { binary: isBinary }));
  });
  server.listen(port, '127.0.0.1', () => {
    process.stdout.write(`listening http://127.0.0.1:${(server.address() as AddressInfo).port}\n`);
  });
  process.once('SIGTERM', () => process.exit(0));
}

startEchoServer(Number(process.argv[2] ?? 0));
