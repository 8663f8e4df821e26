// Streaming the audit log to a SIEM, against real receivers started here: a syslog-over-TLS
// listener (RFC 5425 framing) that breaks the connection and goes away in the middle of a
// stream, and an HTTPS HEC endpoint with an outage. Real PostgreSQL, real TLS.
import { afterAll, beforeAll, describe, expect, test } from "bun:test";
import { randomBytes } from "node:crypto";
import { mkdtempSync, rmSync } from "node:fs";
import tls from "node:tls";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { recordAudit } from "../../app/audit/audit-log.ts";
import { sealPending } from "../../app/audit/audit-seal.ts";
import { Forbidden, Invalid } from "../../app/errors.ts";
import type { Caller } from "../../app/identity/caller.ts";
import { callerFor, cliCaller } from "../support/callers.ts";
import { SYSTEM_ROLES, type Permission } from "../../app/identity/permissions.ts";
import { loadKeyring, type Keyring } from "../../app/secrets/keyring.ts";
import { parseTarget } from "../../app/siem/siem-destination.ts";
import {
  addDestination,
  listDestinations,
  removeDestination,
  testDestination,
} from "../../app/siem/siem-destinations.ts";
import { startSiemForwarder, type SiemForwarder } from "../../app/siem/siem-forwarder.ts";
import { generateCertificate } from "../../app/tls/certificate.ts";
import { freshDatabase } from "../support/db.ts";
import { freePort } from "../support/ports.ts";

const db = await freshDatabase();
const dataDir = mkdtempSync(join(tmpdir(), "nmg-siem-"));
let keyring: Keyring;
let cert: { cert: string; key: string };
const admin: Caller = cliCaller("tester");
const forwarders: SiemForwarder[] = [];

beforeAll(async () => {
  keyring = (
    await loadKeyring({ sql: db.sql, dataDir, encryptionKey: randomBytes(32).toString("base64"), warn: () => {} })
  ).keyring;
  cert = await generateCertificate({
    dataDir,
    sans: ["127.0.0.1", "localhost"],
    extraNames: [],
    commonName: "siem.test",
    organization: "test",
    validityDays: 2,
    renewDays: 1,
  });
});
afterAll(async () => {
  await Promise.all(forwarders.map((f) => f.stop()));
  await db.close();
  rmSync(dataDir, { recursive: true, force: true });
});

function forwarder(): SiemForwarder {
  const f = startSiemForwarder({
    sql: db.sql,
    keyring,
    hostname: "gw1",
    version: "test",
    pollMs: 40,
    confirmMs: 250,
    batchSize: 25,
    maxBackoffMs: 300,
    timeoutMs: 2000,
  });
  forwarders.push(f);
  return f;
}

async function audit(n: number, tag: string): Promise<void> {
  for (let i = 0; i < n; i++) {
    await recordAudit(db.sql, {
      action: "mcp.call",
      status: "ok",
      actor: { username: "alice", via: "token-a" },
      details: { tag, i, note: "line\nbreak|pipe=eq" },
    });
  }
  await sealPending(db.sql);
}

async function headSeq(): Promise<number> {
  const [row] = await db.sql<{ seq: string }[]>`select seq::text as seq from audit_chain_head`;
  return Number(row!.seq);
}

async function until(what: string, check: () => boolean | Promise<boolean>, ms = 20_000): Promise<void> {
  const end = Date.now() + ms;
  while (Date.now() < end) {
    if (await check()) return;
    await Bun.sleep(25);
  }
  throw new Error(`timed out waiting for ${what}`);
}

interface Received {
  seq: number;
  replay: boolean;
  line: string;
}

/** A syslog-over-TLS receiver: octet-counted frames (RFC 5425), parsed into seq and replay flag. */
function syslogReceiver(port: number) {
  const received: Received[] = [];
  const sockets = new Set<tls.TLSSocket>();
  let server: tls.Server | null = null;
  let breakAfter = Infinity;
  const start = () =>
    new Promise<void>((resolve) => {
      server = tls.createServer({ cert: cert.cert, key: cert.key }, (socket) => {
        sockets.add(socket);
        socket.on("close", () => sockets.delete(socket));
        socket.on("error", () => {});
        let buffer = Buffer.alloc(0);
        socket.on("data", (chunk: Buffer) => {
          buffer = Buffer.concat([buffer, chunk]);
          for (;;) {
            const space = buffer.indexOf(0x20);
            if (space < 0) return;
            const length = Number(buffer.subarray(0, space).toString("ascii"));
            if (buffer.length < space + 1 + length) return;
            const line = buffer.subarray(space + 1, space + 1 + length).toString("utf8");
            buffer = buffer.subarray(space + 1 + length);
            const seq = Number(/ seq="(\d+)"/.exec(line)?.[1]);
            received.push({ seq, replay: line.includes('replay="true"'), line });
            if (received.length >= breakAfter) {
              breakAfter = Infinity;
              // An outage in the middle of a stream: connections reset, nobody listening for a while.
              for (const s of sockets) s.destroy();
              void stop().then(() => setTimeout(() => void start(), 800));
              return;
            }
          }
        });
      });
      server.listen(port, "127.0.0.1", () => resolve());
    });
  const stop = () =>
    new Promise<void>((resolve) => {
      if (!server) return resolve();
      server.close(() => resolve());
      for (const s of sockets) s.destroy();
      server = null;
    });
  return { received, start, stop, breakAfterMessages: (n: number) => (breakAfter = n) };
}

describe("destinations", () => {
  test("URLs are checked with the reason and the fix", () => {
    expect(() => parseTarget("syslog://siem:514")).toThrow(/not supported: use syslog\+tls/);
    expect(() => parseTarget("syslog+tls://user:pw@siem")).toThrow(/must not carry a user or password/);
    expect(() => parseTarget("syslog+tls://siem:6514/path")).toThrow(/no path or query/);
    expect(() => parseTarget("not a url")).toThrow(/is not a URL/);
    expect(parseTarget("syslog+tls://siem.example.net")).toEqual({
      transport: "syslog+tls",
      host: "siem.example.net",
      port: 6514,
      path: "",
    });
    expect(parseTarget("https://splunk:8088").path).toBe("/services/collector/event");
  });

  test("managing destinations needs settings:manage, whoever calls", async () => {
    const viewer = callerFor({
      userId: "u9",
      username: "val",
      active: true,
      roles: ["viewer"],
      permissions: new Set<Permission>(SYSTEM_ROLES.viewer),
      clusterAccess: "all",
      toolProfile: null,
      via: "session",
    });
    await expect(
      addDestination(db.sql, viewer, { name: "x", url: "syslog+tls://127.0.0.1:1" }, { keyring }),
    ).rejects.toBeInstanceOf(Forbidden);
    await expect(listDestinations(db.sql, viewer)).rejects.toBeInstanceOf(Forbidden);
    await expect(removeDestination(db.sql, viewer, "x")).rejects.toBeInstanceOf(Forbidden);
  });

  test("an HEC destination needs a token, which is sealed and never shown", async () => {
    await expect(
      addDestination(db.sql, admin, { name: "hec0", url: "https://127.0.0.1:1" }, { keyring }),
    ).rejects.toBeInstanceOf(Invalid);
    const d = await addDestination(
      db.sql,
      admin,
      { name: "hec0", url: "https://127.0.0.1:1", token: "hec-secret-123" },
      { keyring },
    );
    expect(d.hasToken).toBe(true);
    expect(JSON.stringify(d)).not.toContain("hec-secret-123");
    const [row] = await db.sql<
      { sealed: string }[]
    >`select token_sealed as sealed from siem_destinations where id = ${d.id}`;
    expect(row!.sealed).not.toContain("hec-secret-123");
    const [event] = await db.sql<
      { details: unknown }[]
    >`select details from audit_events where action = 'siem.destination.add' order by id desc limit 1`;
    expect(JSON.stringify(event!.details)).not.toContain("hec-secret-123");
    await removeDestination(db.sql, admin, "hec0");
  });
});

describe("syslog over TLS", () => {
  test("a receiver whose certificate is not trusted gets nothing; the test says why", async () => {
    const port = await freePort();
    const receiver = syslogReceiver(port);
    await receiver.start();
    await addDestination(db.sql, admin, { name: "untrusted", url: `syslog+tls://127.0.0.1:${port}` }, { keyring });
    const result = await testDestination(
      db.sql,
      admin,
      "untrusted",
      { hostname: "gw1", version: "test", timeoutMs: 2000 },
      { keyring },
    );
    expect(result.ok).toBe(false);
    expect(result.error).toMatch(/cannot connect to 127\.0\.0\.1:\d+: .*(self.signed|certificate|verify)/i);
    expect(receiver.received).toHaveLength(0);
    await removeDestination(db.sql, admin, "untrusted");
    await receiver.stop();
  });

  test("an outage in the middle of a stream: every event arrives, in order, duplicates only as counted replays", async () => {
    const port = await freePort();
    const receiver = syslogReceiver(port);
    await receiver.start();
    await audit(5, "before");
    const from = await headSeq();
    await addDestination(
      db.sql,
      admin,
      { name: "soc", url: `syslog+tls://127.0.0.1:${port}`, caPem: cert.cert, format: "cef" },
      { keyring },
    );
    const f = forwarder();
    receiver.breakAfterMessages(60);
    await audit(150, "stream");
    await until("the outage", () => receiver.received.length >= 60);
    await audit(50, "during-outage");
    const last = await headSeq();
    await until("every event after recovery", () => new Set(receiver.received.map((r) => r.seq)).size >= last - from);

    const seqs = receiver.received.map((r) => r.seq);
    // Complete: exactly the events after the destination was added (the ones before are not sent).
    expect([...new Set(seqs)].sort((a, b) => a - b)).toEqual(
      Array.from({ length: last - from }, (_, i) => from + 1 + i),
    );
    // Every first delivery is in chain order; anything seen twice was marked as a replay.
    const firsts = receiver.received.filter((r) => !r.replay).map((r) => r.seq);
    expect(firsts).toEqual([...firsts].sort((a, b) => a - b));
    expect(new Set(firsts).size).toBe(firsts.length);
    // The break came while batches were unconfirmed: they were sent again, marked.
    expect(receiver.received.some((r) => r.replay)).toBe(true);
    const seen = new Set<number>();
    for (const r of receiver.received) {
      if (seen.has(r.seq)) expect(r.replay).toBe(true);
      seen.add(r.seq);
    }
    // CEF inside RFC 5424: one record per event, the separators escaped.
    const sample = receiver.received.find((r) => r.line.includes(`"tag":"stream"`))!.line;
    expect(sample).toMatch(/^<110>1 \S+ gw1 nexus-mcp-gateway - mcp\.call \[nmg@32473 seq="\d+" hash="[0-9a-f]{64}"/);
    expect(sample).toContain("CEF:0|Nexus MCP Gateway|nexus-mcp-gateway|test|mcp.call|");
    expect(sample).not.toMatch(/[\r\n]/);
    expect(sample).toContain("line\\\\nbreak|pipe\\=eq");

    await until("the cursor to count the replays", async () => {
      const [d] = (await listDestinations(db.sql, admin)).filter((x) => x.name === "soc");
      return d!.backlog === 0 && Number(d!.cursor!.replayedCount) === receiver.received.filter((r) => r.replay).length;
    });
    await f.stop();
    forwarders.splice(forwarders.indexOf(f), 1);

    // A restart resumes from the cursor: the next events arrive once, nothing is sent again.
    const before = receiver.received.length;
    await audit(10, "after-restart");
    const g = forwarder();
    await until("events after the restart", () => receiver.received.length >= before + 10);
    await Bun.sleep(300);
    const after = receiver.received.slice(before);
    expect(after.map((r) => r.seq)).toEqual(Array.from({ length: 10 }, (_, i) => last + 1 + i));
    expect(after.every((r) => !r.replay)).toBe(true);
    await g.stop();
    forwarders.splice(forwarders.indexOf(g), 1);
    await removeDestination(db.sql, admin, "soc");
    await receiver.stop();
  }, 60_000);
});

describe("HTTPS (Splunk HEC)", () => {
  test("events arrive as HEC JSON with the token; an outage is retried from the cursor", async () => {
    const port = await freePort();
    const events: { seq: number; replay: boolean; auth: string | null }[] = [];
    let failing = false;
    const server = Bun.serve({
      port,
      hostname: "127.0.0.1",
      tls: { cert: cert.cert, key: cert.key },
      async fetch(req) {
        if (failing) return new Response('{"text":"Server is busy","code":9}', { status: 503 });
        const auth = req.headers.get("authorization");
        if (auth !== "Splunk hec-token-1") return new Response('{"text":"Invalid token","code":4}', { status: 403 });
        for (const line of (await req.text()).split("\n")) {
          const e = JSON.parse(line);
          events.push({ seq: Number(e.event.seq), replay: e.event.replay === true, auth });
          expect(e.sourcetype).toBe("_json");
        }
        return Response.json({ text: "Success", code: 0 });
      },
    });
    try {
      const from = await headSeq();
      await addDestination(
        db.sql,
        admin,
        {
          name: "splunk",
          url: `https://127.0.0.1:${port}/services/collector/event`,
          caPem: cert.cert,
          token: "hec-token-1",
        },
        { keyring },
      );
      const f = forwarder();
      await audit(30, "hec");
      await until("the first events", () => events.length >= 30);
      failing = true;
      await audit(20, "hec-outage");
      await Bun.sleep(400);
      const [during] = (await listDestinations(db.sql, admin)).filter((x) => x.name === "splunk");
      expect(during!.cursor!.lastError).toMatch(/HTTP 503/);
      expect(during!.backlog).toBeGreaterThan(0);
      failing = false;
      const last = await headSeq();
      await until("the events after the outage", () => new Set(events.map((e) => e.seq)).size >= last - from);
      expect([...new Set(events.map((e) => e.seq))].sort((a, b) => a - b)).toEqual(
        Array.from({ length: last - from }, (_, i) => from + 1 + i),
      );
      const firsts = events.filter((e) => !e.replay).map((e) => e.seq);
      expect(new Set(firsts).size).toBe(firsts.length);
      await f.stop();
      forwarders.splice(forwarders.indexOf(f), 1);
    } finally {
      server.stop(true);
    }
  }, 60_000);
});
