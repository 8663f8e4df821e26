/**
 * The legacy HTTP+SSE transport (MCP 2024-11-05) on web streams — neither SDK line ships one
 * for web runtimes. One instance per GET /mcp/sse: the first event names the POST endpoint with
 * this session's id; JSON-RPC responses go out as `message` events on this stream only.
 * The first chunk is written at once (Bun sends response headers with the first chunk), and a
 * comment every 15 s keeps proxies and idle timeouts from cutting a quiet stream.
 */
import type { JSONRPCMessage, Transport } from "@modelcontextprotocol/server";

const encoder = new TextEncoder();
type Extra = Parameters<NonNullable<Transport["onmessage"]>>[1];

export class SseServerTransport implements Transport {
  readonly sessionId = crypto.randomUUID();
  readonly stream: ReadableStream<Uint8Array>;
  onclose?: () => void;
  onerror?: (error: Error) => void;
  onmessage?: Transport["onmessage"];
  private controller?: ReadableStreamDefaultController<Uint8Array>;
  private keepAlive?: ReturnType<typeof setInterval>;
  private closed = false;

  constructor(endpointPath: string, keepAliveMs = 15_000) {
    this.stream = new ReadableStream<Uint8Array>({
      start: (controller) => {
        this.controller = controller;
        controller.enqueue(encoder.encode(`event: endpoint\ndata: ${endpointPath}?sessionId=${this.sessionId}\n\n`));
        this.keepAlive = setInterval(() => this.write(": keepalive\n\n"), keepAliveMs);
      },
      cancel: () => this.finish(),
    });
  }

  get isClosed(): boolean {
    return this.closed;
  }

  async start(): Promise<void> {}

  async send(message: JSONRPCMessage): Promise<void> {
    if (this.closed) throw new Error("SSE stream is closed");
    this.write(`event: message\ndata: ${JSON.stringify(message)}\n\n`);
    const id = (message as { id?: string | number; method?: string }).id;
    if (id !== undefined && !("method" in message)) this.answered(id);
  }

  /**
   * Hands a POSTed message to the server, with the caller's authentication attached. A request
   * counts as in flight (`onRequest`'s done function) until its response has been sent.
   */
  receive(message: JSONRPCMessage, extra: Extra, onRequest?: () => () => void): void {
    const { id, method } = message as { id?: string | number; method?: string };
    if (id !== undefined && method !== undefined && onRequest) this.pending.set(id, onRequest());
    this.onmessage?.(message, extra);
  }

  private readonly pending = new Map<string | number, () => void>();

  private answered(id: string | number): void {
    this.pending.get(id)?.();
    this.pending.delete(id);
  }

  async close(): Promise<void> {
    this.finish();
  }

  private write(text: string): void {
    if (this.closed) return;
    try {
      this.controller?.enqueue(encoder.encode(text));
    } catch {
      this.finish();
    }
  }

  private finish(): void {
    if (this.closed) return;
    this.closed = true;
    clearInterval(this.keepAlive);
    for (const done of this.pending.values()) done();
    this.pending.clear();
    try {
      this.controller?.close();
    } catch {
      // already closed by the client
    }
    this.onclose?.();
  }
}
