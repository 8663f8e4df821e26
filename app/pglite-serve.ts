/**
 * Serves one PGlite backend to several PostgreSQL wire-protocol connections (the gateway's own
 * and an admin CLI's) over a private unix socket.
 *
 * Guarantees: a connection holds the single backend for a whole protocol cycle — from its first
 * message until the backend answers ReadyForQuery with status idle — so the extended-protocol
 * messages (Parse/Bind/Execute/Sync) of two connections never interleave and a transaction is
 * never entered by another connection's statements. pglite-socket's own queue switches between
 * connections after every message outside a transaction, which breaks the unnamed portal
 * ("portal does not exist"); that is why the embedded engine had one connection only.
 * A connection that goes away mid-cycle is closed out with Sync (and ROLLBACK if it left a
 * transaction open), so it cannot leave the backend held.
 */
import type { PGlite } from "@electric-sql/pglite";
import { PGLiteSocketHandler } from "@electric-sql/pglite-socket";
import { createServer, type Server } from "node:net";

interface Item {
  handlerId: number;
  message: Uint8Array;
  onData(data: Uint8Array): void;
  resolve(bytes: number): void;
  reject(err: unknown): void;
}

const SYNC = new Uint8Array([0x53, 0, 0, 0, 4]);

/** ReadyForQuery with status idle: 'Z', length 5, 'I'. */
function endsIdle(tail: Uint8Array): boolean {
  return tail.length === 6 && tail[0] === 0x5a && tail[4] === 5 && tail[5] === 0x49;
}

export class CycleQueue {
  private queue: Item[] = [];
  private owner: number | null = null;
  private processing = false;

  constructor(private readonly db: PGlite) {}

  enqueue(handlerId: number, message: Uint8Array, onData: (data: Uint8Array) => void): Promise<number> {
    return new Promise((resolve, reject) => {
      this.queue.push({ handlerId, message, onData, resolve, reject });
      void this.process();
    });
  }

  getQueueLength(): number {
    return this.queue.length;
  }

  clearQueueForHandler(handlerId: number): void {
    this.queue = this.queue.filter((item) => {
      if (item.handlerId !== handlerId) return true;
      item.reject(new Error("connection closed"));
      return false;
    });
  }

  /** Called when a connection goes away: end its open cycle or transaction, free the backend. */
  async clearTransactionIfNeeded(handlerId: number): Promise<void> {
    if (this.owner !== handlerId) return;
    await this.db.runExclusive(async () => {
      await this.db.execProtocolRawStream(SYNC, { onRawData: () => {} }).catch(() => {});
      if (this.db.isInTransaction())
        await this.db.execProtocolRawStream(simpleQuery("ROLLBACK"), { onRawData: () => {} }).catch(() => {});
    });
    this.owner = null;
    void this.process();
  }

  private async process(): Promise<void> {
    if (this.processing) return;
    this.processing = true;
    try {
      for (;;) {
        const index =
          this.owner === null ? (this.queue.length ? 0 : -1) : this.queue.findIndex((q) => q.handlerId === this.owner);
        if (index < 0) return;
        const item = this.queue.splice(index, 1)[0]!;
        let tail: Uint8Array = new Uint8Array(0);
        let bytes = 0;
        try {
          await this.db.runExclusive(() =>
            this.db.execProtocolRawStream(item.message, {
              onRawData: (data) => {
                bytes += data.length;
                tail = lastSix(tail, data);
                item.onData(data);
              },
            }),
          );
          item.resolve(bytes);
        } catch (err) {
          item.reject(err);
        }
        this.owner = endsIdle(tail) ? null : item.handlerId;
      }
    } finally {
      this.processing = false;
    }
  }
}

function lastSix(previous: Uint8Array, data: Uint8Array): Uint8Array {
  if (data.length >= 6) return data.slice(data.length - 6);
  const joined = new Uint8Array(previous.length + data.length);
  joined.set(previous);
  joined.set(data, previous.length);
  return joined.slice(Math.max(0, joined.length - 6));
}

function simpleQuery(text: string): Uint8Array {
  const body = new TextEncoder().encode(`${text}\0`);
  const out = new Uint8Array(5 + body.length);
  out[0] = 0x51;
  new DataView(out.buffer).setInt32(1, 4 + body.length);
  out.set(body, 5);
  return out;
}

export interface PgliteSocket {
  stop(): Promise<void>;
}

export async function servePglite(db: PGlite, socketPath: string, maxConnections = 8): Promise<PgliteSocket> {
  const queue = new CycleQueue(db);
  const handlers = new Set<PGLiteSocketHandler>();
  const server: Server = createServer((socket) => {
    if (handlers.size >= maxConnections) {
      socket.end();
      return;
    }
    const handler = new PGLiteSocketHandler({ queryQueue: queue as never, closeOnDetach: true });
    handlers.add(handler);
    const forget = () => handlers.delete(handler);
    handler.addEventListener("close", forget);
    handler.addEventListener("error", forget);
    handler.attach(socket).catch(() => {
      forget();
      socket.destroy();
    });
  });
  await new Promise<void>((resolve, reject) => {
    server.once("error", reject);
    server.listen(socketPath, () => resolve());
  });
  return {
    async stop() {
      for (const h of handlers) await h.detach(true).catch(() => {});
      handlers.clear();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
}
