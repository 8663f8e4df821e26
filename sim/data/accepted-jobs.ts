/**
 * Progress of asynchronous (202 Accepted) writes. Cisco documents `statusUrl` but not the
 * endpoint behind it (reference §6, §10.1 #8); the simulator invents one: each GET advances the
 * job, which reports `inProgress` until it has been polled `pollsToComplete` times.
 */

export interface JobStatus {
  id: string;
  operation: string;
  status: "inProgress" | "completed";
  progress: number;
  message: string;
}

interface Job {
  id: string;
  operation: string;
  polls: number;
}

export class AcceptedJobs {
  private readonly jobs = new Map<string, Job>();

  constructor(private readonly pollsToComplete: number) {}

  start(id: string, operation: string): void {
    this.jobs.set(id, { id, operation, polls: 0 });
  }

  poll(id: string): JobStatus | undefined {
    const job = this.jobs.get(id);
    if (!job) return undefined;
    job.polls++;
    const done = job.polls >= this.pollsToComplete;
    const progress = done ? 100 : Math.floor((job.polls / this.pollsToComplete) * 100);
    return {
      id: job.id,
      operation: job.operation,
      status: done ? "completed" : "inProgress",
      progress,
      message: done ? `${job.operation} of ${job.id} completed` : `${job.operation} of ${job.id} in progress`,
    };
  }

  forget(id: string): void {
    this.jobs.delete(id);
  }
}
