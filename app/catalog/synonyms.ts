// Search vocabulary for how network engineers ask versus how ND names things. Data only.
// Keys and values are stemmed terms (see search-text.ts); weights < 1 so that a literal match
// always beats a synonym.

/** Pseudo-term indexed on operations that take a time window (startDate/endDate, …). */
export const TIME_WINDOW_TERM = "@timewindow";

/** Query phrases (unstemmed words, in order) that stand for a term. */
export const PHRASES: ReadonlyArray<{ words: readonly string[]; term: string; weight: number }> = [
  { words: ["last", "day"], term: TIME_WINDOW_TERM, weight: 1 },
  { words: ["past", "day"], term: TIME_WINDOW_TERM, weight: 1 },
  { words: ["last", "24"], term: TIME_WINDOW_TERM, weight: 1 },
  { words: ["past", "24"], term: TIME_WINDOW_TERM, weight: 1 },
  { words: ["last", "hour"], term: TIME_WINDOW_TERM, weight: 1 },
  { words: ["last", "week"], term: TIME_WINDOW_TERM, weight: 1 },
  { words: ["last", "month"], term: TIME_WINDOW_TERM, weight: 1 },
  { words: ["yesterday"], term: TIME_WINDOW_TERM, weight: 1 },
  { words: ["today"], term: TIME_WINDOW_TERM, weight: 1 },
  { words: ["recent"], term: TIME_WINDOW_TERM, weight: 0.8 },
  { words: ["recently"], term: TIME_WINDOW_TERM, weight: 0.8 },
  { words: ["since"], term: TIME_WINDOW_TERM, weight: 0.8 },
  { words: ["between"], term: TIME_WINDOW_TERM, weight: 0.6 },
  { words: ["time", "range"], term: TIME_WINDOW_TERM, weight: 1 },
  { words: ["time", "window"], term: TIME_WINDOW_TERM, weight: 1 },
  { words: ["over", "time"], term: TIME_WINDOW_TERM, weight: 0.8 },
  { words: ["get", "all"], term: "list", weight: 1 },
];

/** Words dropped from queries once phrases have been matched ("last day" → time window). */
export const PHRASE_ONLY_WORDS = new Set([
  "last",
  "past",
  "24",
  "hour",
  "hours",
  "day",
  "days",
  "week",
  "month",
  "yesterday",
  "today",
  "recent",
  "recently",
  "since",
  "between",
  "window",
  "over",
]);

type Alternatives = ReadonlyArray<readonly [term: string, weight: number]>;

export const SYNONYMS: Readonly<Record<string, Alternatives>> = {
  switch: [
    ["node", 0.6],
    ["device", 0.6],
  ],
  node: [["switch", 0.6]],
  device: [
    ["switch", 0.7],
    ["node", 0.5],
  ],
  leaf: [["switch", 0.6]],
  spine: [["switch", 0.6]],
  view: [["list", 0.5]],
  anomaly: [["alert", 0.4]],
  issue: [
    ["anomaly", 0.8],
    ["advisory", 0.4],
  ],
  problem: [["anomaly", 0.8]],
  fault: [["anomaly", 0.7]],
  alarm: [
    ["anomaly", 0.7],
    ["alert", 0.6],
  ],
  alert: [["anomaly", 0.6]],
  error: [["anomaly", 0.5]],
  health: [
    ["status", 0.5],
    ["healt", 0.9],
  ],
  healthy: [
    ["health", 0.9],
    ["healt", 0.8],
    ["status", 0.4],
  ],
  state: [["status", 0.6]],
  status: [
    ["health", 0.3],
    ["state", 0.5],
  ],
  port: [["interface", 0.8]],
  interface: [["port", 0.5]],
  host: [["endpoint", 0.7]],
  mac: [["endpoint", 0.6]],
  neighbor: [
    ["lldp", 0.5],
    ["cdp", 0.5],
    ["l3neighbor", 0.6],
  ],
  neighbour: [
    ["neighbor", 1],
    ["l3neighbor", 0.6],
  ],
  lldp: [["neighbor", 0.8]],
  cdp: [["neighbor", 0.8]],
  bgp: [
    ["l3neighbor", 0.9],
    ["protocol", 0.4],
    ["neighbor", 0.5],
  ],
  ospf: [
    ["l3neighbor", 0.9],
    ["protocol", 0.4],
  ],
  log: [
    ["record", 0.9],
    ["event", 0.4],
  ],
  history: [["record", 0.4]],
  peer: [
    ["neighbor", 0.7],
    ["l3neighbor", 0.6],
  ],
  config: [
    ["configuration", 0.9],
    ["setting", 0.5],
  ],
  configuration: [["config", 0.9]],
  setting: [
    ["config", 0.5],
    ["configuration", 0.5],
  ],
  delete: [["remove", 0.8]],
  remove: [["delete", 0.8]],
  add: [["create", 0.8]],
  new: [["create", 0.6]],
  modify: [["update", 0.8]],
  change: [["update", 0.6]],
  edit: [["update", 0.8]],
  account: [["user", 0.8]],
  firmware: [
    ["software", 0.6],
    ["image", 0.5],
  ],
  image: [
    ["firmware", 0.6],
    ["software", 0.5],
  ],
  upgrade: [
    ["software", 0.5],
    ["update", 0.4],
    ["firmware", 0.4],
  ],
  software: [["firmware", 0.5]],
  cert: [["certificate", 0.9]],
  password: [["credential", 0.7]],
  login: [
    ["credential", 0.5],
    ["auth", 0.5],
  ],
  site: [["fabric", 0.4]],
  traffic: [["flow", 0.5]],
  flow: [["traffic", 0.4]],
  routing: [["route", 0.9]],
  overview: [["summary", 0.7]],
  count: [["summary", 0.5]],
  stat: [
    ["statistic", 0.9],
    ["summary", 0.4],
  ],
  statistic: [["summary", 0.4]],
  info: [["detail", 0.5]],
  inventory: [["switch", 0.4]],
  compliance: [["conformance", 0.5]],
  eol: [["conformance", 0.7]],
  bug: [["advisory", 0.6]],
  psirt: [["advisory", 0.8]],
  cve: [["advisory", 0.8]],
  vulnerability: [["advisory", 0.8]],
};
