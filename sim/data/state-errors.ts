/** Failures of state changes; routes turn them into the error shape of their API family. */
export class SimStateError extends Error {
  constructor(
    readonly status: 400 | 404 | 409,
    message: string,
  ) {
    super(message);
  }
}

export const notFound = (what: string) => new SimStateError(404, `${what} not found`);
export const conflict = (message: string) => new SimStateError(409, message);
export const invalid = (message: string) => new SimStateError(400, message);
