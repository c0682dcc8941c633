// The error base of every mlayer package: a stable machine-readable `code` and an optional `cause`.

export class MlayerError extends Error {
  readonly code: string;

  constructor(code: string, message: string, options?: { cause?: unknown }) {
    super(message, options);
    this.name = new.target.name;
    this.code = code;
  }
}

/** A value given by a user (flag, config key, API body) is wrong. The message says which and why. */
export class ValidationError extends MlayerError {
  constructor(message: string, options?: { cause?: unknown }) {
    super('EINVALID', message, options);
  }
}

/** Returns the message of anything thrown, for logs and error replies. */
export function errorMessage(err: unknown): string {
  if (err instanceof Error) return err.message;
  return String(err);
}

/** Returns the `code` of an error-like value, or undefined. */
export function errorCode(err: unknown): string | undefined {
  if (typeof err === 'object' && err !== null && 'code' in err) {
    const code = (err as { code: unknown }).code;
    return typeof code === 'string' ? code : undefined;
  }
  return undefined;
}
