/** `GET /healthz` on both listeners: public, cheap, no secrets. 503 when the database is down. */
import { Elysia } from "elysia";

export interface HealthDeps {
  version: string;
  engine: string;
  startedAt: number;
  pingDatabase(): Promise<boolean>;
}

export function healthRoutes(deps: HealthDeps) {
  return new Elysia().get("/healthz", async ({ set }) => {
    const reachable = await deps.pingDatabase();
    set.status = reachable ? 200 : 503;
    return {
      status: reachable ? "ok" : "degraded",
      version: deps.version,
      database: { reachable, engine: deps.engine },
      uptimeSeconds: Math.round((Date.now() - deps.startedAt) / 1000),
    };
  });
}
