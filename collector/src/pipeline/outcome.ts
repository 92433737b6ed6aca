/**
 * Whether one export request's batch was durably accepted (spooled) or refused. The dedupe
 * stage drops a span that another request is still spooling, and the request that carried
 * the copy waits for this before it answers: its 200 acknowledges the copy too, and the
 * other request's append may yet fail. One per request; a promise is made only for a waiter.
 */
export class Outcome {
  #accepted: boolean | undefined;
  #waiters: ((accepted: boolean) => void)[] | undefined;

  /** Records the outcome; only the first call counts. */
  settle(accepted: boolean): void {
    if (this.#accepted !== undefined) return;
    this.#accepted = accepted;
    const waiters = this.#waiters;
    this.#waiters = undefined;
    for (const wake of waiters ?? []) wake(accepted);
  }

  /** Resolves `true` once the batch is spooled, `false` once it is refused. */
  wait(): Promise<boolean> {
    if (this.#accepted !== undefined) return Promise.resolve(this.#accepted);
    return new Promise((resolve) => {
      this.#waiters ??= [];
      this.#waiters.push(resolve);
    });
  }
}
