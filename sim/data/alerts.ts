/**
 * Seeded anomalies and advisories of one fabric, and the roll-up of their severities onto the
 * switches they affect. Dates count from a fixed epoch, not the wall clock, so a seed always
 * produces identical records.
 */
import { rngFor, type Rng } from "../prng.ts";
import { worstLevel, type Advisory, type Anomaly, type Switch } from "./model.ts";
import {
  ADVISORY_CATEGORIES,
  ANOMALY_CATEGORIES,
  ANOMALY_MNEMONICS,
  PROMPT_INJECTIONS,
  SEVERITIES,
} from "./vocabulary.ts";

export const DATA_EPOCH_MS = Date.UTC(2025, 5, 1);

const SCORE_RANGE: Record<Anomaly["severity"], [number, number]> = {
  critical: [80, 100],
  major: [60, 79],
  minor: [30, 59],
  warning: [5, 29],
};

export function generateAnomalies(seed: number, fabricName: string, switches: Switch[]): Anomaly[] {
  if (switches.length === 0) return [];
  const rng = rngFor(seed, "anomalies", fabricName);
  const count = rng.int(3, Math.min(12, 3 + switches.length));
  const anomalies: Anomaly[] = [];
  for (let i = 0; i < count; i++) {
    const node = rng.pick(switches);
    const severity = rng.pick(SEVERITIES);
    const category = rng.pick(ANOMALY_CATEGORIES);
    const mnemonic = rng.pick(ANOMALY_MNEMONICS[category]);
    const start = DATA_EPOCH_MS + rng.int(0, 30 * 24 * 60) * 60_000;
    anomalies.push({
      anomalyId: rng.hex(40),
      severity,
      category,
      anomalyScore: rng.int(...SCORE_RANGE[severity]),
      title: titleFor(mnemonic, node.hostname),
      mnemonicTitle: mnemonic,
      mnemonicDescription: `${mnemonic.toLowerCase().replaceAll("_", " ")} detected on ${node.hostname}`,
      fabricName,
      nodeNames: [node.hostname],
      switchId: node.switchId,
      entityName: node.hostname,
      vendor: "CISCO_NX-OS",
      alertType: "anomaly",
      anomalySource: "telemetry",
      startDate: new Date(start).toISOString(),
      endDate: new Date(start + rng.int(5, 600) * 60_000).toISOString(),
      cleared: false,
      acknowledged: rng.chance(0.2),
      comment: i === 1 ? injection(rng) : "",
      recommendation: rng.chance(0.6),
    });
  }
  return anomalies;
}

export function generateAdvisories(seed: number, fabricName: string, switches: Switch[]): Advisory[] {
  if (switches.length === 0) return [];
  const rng = rngFor(seed, "advisories", fabricName);
  const count = rng.int(1, 4);
  const advisories: Advisory[] = [];
  for (let i = 0; i < count; i++) {
    const category = rng.pick(ADVISORY_CATEGORIES);
    const severity = rng.pick(SEVERITIES);
    const affected = switches.filter((_, j) => j % (i + 2) === 0).slice(0, 5);
    advisories.push({
      advisoryId: rng.hex(32),
      severity,
      category,
      advisoryScore: rng.int(...SCORE_RANGE[severity]),
      title: `${category} advisory for NX-OS ${affected[0]?.softwareVersion ?? ""}`.trim(),
      fabricName,
      nodeNames: affected.map((s) => s.hostname),
      alertType: "advisory",
      softwareVersion: affected[0]?.softwareVersion ?? "",
      startDate: new Date(DATA_EPOCH_MS + rng.int(0, 60) * 86_400_000).toISOString(),
    });
  }
  return advisories;
}

/** A switch's anomalyLevel/advisoryLevel is the worst severity of the alerts naming it. */
export function applyLevels(switches: Switch[], anomalies: Anomaly[], advisories: Advisory[]): void {
  for (const sw of switches) {
    sw.anomalyLevel = worstLevel(anomalies.filter((a) => a.nodeNames.includes(sw.hostname)).map((a) => a.severity));
    sw.advisoryLevel = worstLevel(advisories.filter((a) => a.nodeNames.includes(sw.hostname)).map((a) => a.severity));
  }
}

function titleFor(mnemonic: string, host: string): string {
  const words = mnemonic.toLowerCase().split("_");
  return `${words.join(" ").replace(/^./, (c) => c.toUpperCase())} on ${host}`;
}

function injection(rng: Rng): string {
  return rng.pick(PROMPT_INJECTIONS);
}
