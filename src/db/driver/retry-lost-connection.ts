import { DatabaseError } from '../../errors.js';

/**
 * Runs `work`, and again while it fails on a lost connection, `attempts` times
 * at most. A pool may hand out a dead idle session more than once after its
 * server went away (that is often why a run is ending): each retry takes the
 * next session. Any other failure is thrown at once.
 */
export async function retryOnLostConnection<T>(
  work: () => Promise<T>,
  attempts: number,
): Promise<T> {
  for (let attempt = 1; ; attempt++) {
    try {
      return await work();
    } catch (error) {
      const lost = error instanceof DatabaseError && error.connectionLost;
      if (!lost || attempt >= attempts) throw error;
    }
  }
}
