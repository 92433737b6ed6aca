import { createServer, type RequestListener, type Server } from "node:http";
import type { AddressInfo } from "node:net";

export interface Listening {
  server: Server;
  url: string;
  /** Stops accepting connections and waits for open requests to finish. */
  close(): Promise<void>;
}

/** Listens on host:port (0 picks a free port) and resolves with the URL it can be reached at. */
export function listen(
  handler: RequestListener,
  host: string,
  port: number,
  what: string,
): Promise<Listening> {
  const server = createServer(handler);
  return new Promise((resolve, reject) => {
    server.once("error", (error: NodeJS.ErrnoException) => {
      const hint = error.code === "EADDRINUSE" ? " (is another burnrate running? set a different port)" : "";
      reject(new Error(`cannot listen on ${host}:${port} for the ${what} (${error.code})${hint}`));
    });
    server.listen(port, host, () => {
      // From here on a server error (say, EMFILE when accepting with no file descriptors left)
      // is reported and the server goes on; without a listener it would crash the process.
      server.removeAllListeners("error");
      server.on("error", (error: NodeJS.ErrnoException) => {
        process.stderr.write(`burnrate: the ${what} hit an error: ${error.code ?? error.message}\n`);
      });
      const address = server.address() as AddressInfo;
      const shownHost = address.family === "IPv6" ? `[${address.address}]` : address.address;
      resolve({ server, url: `http://${shownHost}:${address.port}`, close: () => closeServer(server) });
    });
  });
}

function closeServer(server: Server): Promise<void> {
  return new Promise((resolve) => {
    server.close(() => resolve());
    // Idle keep-alive sockets would hold close() open; in-flight requests still finish.
    server.closeIdleConnections();
  });
}
