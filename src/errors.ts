// Errors that reach a user: a stable code, a message a trader can act on, an HTTP status, details.

export class FlowError extends Error {
  constructor(
    readonly code: string,
    message: string,
    readonly status = 400,
    readonly details?: unknown,
  ) {
    super(message);
    this.name = 'FlowError';
  }
}

export const notFound = (what: string, id: string) => new FlowError('not_found', `${what} ${id} not found`, 404);
