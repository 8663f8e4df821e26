/**
 * A minimal text/event-stream reader for load clients: feeds each complete event (name + data)
 * to a callback. Comments (keep-alives) are skipped. Written for speed over generality: the
 * load loops read thousands of events per second and the SDK clients' parsers cost more than
 * the gateway work being measured.
 */
export interface StreamEvent {
  event: string;
  data: string;
}

export async function readEvents(body: ReadableStream<Uint8Array>, onEvent: (e: StreamEvent) => void): Promise<void> {
  const decoder = new TextDecoder();
  let buffer = "";
  const reader = body.getReader();
  for (;;) {
    const { value, done } = await reader.read();
    if (done) return;
    buffer += decoder.decode(value, { stream: true });
    for (let end = buffer.indexOf("\n\n"); end >= 0; end = buffer.indexOf("\n\n")) {
      const block = buffer.slice(0, end);
      buffer = buffer.slice(end + 2);
      let event = "message";
      const data: string[] = [];
      for (const line of block.split("\n")) {
        if (line.startsWith("data:")) data.push(line.slice(line[5] === " " ? 6 : 5));
        else if (line.startsWith("event:")) event = line.slice(6).trim();
      }
      if (data.length) onEvent({ event, data: data.join("\n") });
    }
  }
}

/** The JSON-RPC messages in a complete event-stream body (a Streamable HTTP POST answer). */
export function messagesIn(text: string): unknown[] {
  const out: unknown[] = [];
  for (const line of text.split("\n")) if (line.startsWith("data:")) out.push(JSON.parse(line.slice(5)));
  return out;
}
