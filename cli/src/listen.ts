import { createServer, type RequestListener, type Server } from "node:http";
import type { AddressInfo } from "node:net";

export interface Listening {
  server: Server;
  url: string;
  /** Stops accepting connections and waits for open requests to finish. */
  close(): Promise<void>;
}

/** The settings that move each server to another port, named when it cannot listen. */
const PORT_SETTING = {
  "OTLP receiver": "BURNRATE_OTLP_PORT or server.otlpPort",
  "query API": "BURNRATE_API_PORT or server.apiPort",
} as const;

/** The servers `burnrate start` runs. */
export type ServerName = keyof typeof PORT_SETTING;

/** Listens on host:port (0 picks a free port) and resolves with the URL it can be reached at. */
export function listen(
  handler: RequestListener,
  host: string,
  port: number,
  what: ServerName,
): Promise<Listening> {
  const server = createServer(handler);
  return new Promise((resolve, reject) => {
    server.once("error", (error: NodeJS.ErrnoException) => {
      reject(
        new Error(`cannot listen on ${host}:${port} for the ${what} (${error.code}): ${advice(error, what)}`),
      );
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

/** What went wrong and which setting to change, by the error's code. */
function advice(error: NodeJS.ErrnoException, what: ServerName): string {
  const portSetting = PORT_SETTING[what];
  switch (error.code) {
    case "EADDRINUSE":
      return `the port is taken, perhaps by another burnrate; stop that process or set ${portSetting} to a free port`;
    case "EACCES":
      return `this user may not open that port (below 1024 needs privileges); set ${portSetting} to 1024 or above`;
    case "EADDRNOTAVAIL":
    case "ENOTFOUND":
      return "the address is not one of this machine's; set BURNRATE_HOST or server.host to one, such as 127.0.0.1 or 0.0.0.0";
    default:
      return `check BURNRATE_HOST or server.host, and ${portSetting}`;
  }
}

function closeServer(server: Server): Promise<void> {
  return new Promise((resolve) => {
    server.close(() => resolve());
    // Idle keep-alive sockets would hold close() open; in-flight requests still finish.
    server.closeIdleConnections();
  });
}
