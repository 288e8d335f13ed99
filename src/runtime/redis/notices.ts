/**
 * The subscriber side of the prefix's pub/sub channel: wakes `result --wait` callers when a run
 * ends and tells workers to abort cancelled activity attempts. Pub/sub is a wake-up only: every
 * waiter also re-reads the run's state, so a missed message costs latency, never correctness.
 */
import type { Redis } from 'ioredis';
import type { ChannelMessage } from './dispatcher.js';

/** One subscription to a prefix's channel, fanned out to in-process listeners. Owns its connection. */
export class ChannelSubscriber {
  private readonly listeners = new Set<(message: ChannelMessage) => void>();
  private ready: Promise<unknown> | undefined;

  constructor(
    private readonly connection: Redis,
    private readonly channel: string,
  ) {
    connection.on('error', () => undefined);
    connection.on('message', (channel: string, text: string) => {
      if (channel !== this.channel) return;
      let message: ChannelMessage;
      try {
        message = JSON.parse(text) as ChannelMessage;
      } catch {
        return;
      }
      for (const listener of this.listeners) listener(message);
    });
  }

  /** Subscribes (once); ioredis re-subscribes by itself after a reconnection. */
  start(): Promise<unknown> {
    this.ready ??= this.connection.subscribe(this.channel);
    return this.ready;
  }

  /** Adds a listener; returns its remover. */
  on(listener: (message: ChannelMessage) => void): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }

  /** Unsubscribes and closes the connection; `force` (or no connection) drops it without a QUIT. */
  async close(options: { force?: boolean } = {}): Promise<void> {
    this.listeners.clear();
    // Not connected: a QUIT would only wait in the offline queue for a Redis that is not there.
    if (options.force || this.connection.status !== 'ready') {
      this.connection.disconnect();
      return;
    }
    await this.connection.quit().catch(() => this.connection.disconnect());
  }
}
