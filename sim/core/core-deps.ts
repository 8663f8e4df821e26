import type { AcceptedJobs } from "../data/accepted-jobs.ts";
import type { SimState } from "../data/sim-state.ts";

/** What the stateful core routes need. */
export interface CoreDeps {
  state: SimState;
  jobs: AcceptedJobs;
}
