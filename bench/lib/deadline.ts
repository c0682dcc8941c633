// Bounded waiting: a benchmark that waits for an event must fail with a clear message, not hang,
// when the event never comes.

/** Settles like `promise`, or rejects with `message` after `ms`; the timer never outlives it. */
export async function withDeadline<T>(promise: Promise<T>, ms: number, message: string): Promise<T> {
  let timer: ReturnType<typeof setTimeout> | undefined;
  const expired = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new Error(`${message} (waited ${ms} ms)`)), ms);
  });
  try {
    return await Promise.race([promise, expired]);
  } finally {
    clearTimeout(timer);
  }
}
