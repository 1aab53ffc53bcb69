import { Connection } from '@temporalio/client';

/** Whether a Temporal frontend at `address` answers `ask` now (not just whether its port is open). */
export async function temporalAnswers(
  address: string,
  ask: (connection: Connection) => Promise<unknown>,
): Promise<boolean> {
  // A lazy connection that we always close: failed `Connection.connect` calls would leak gRPC channels.
  const connection = Connection.lazy({ address, connectTimeout: '2s' });
  try {
    await connection.ensureConnected();
    await ask(connection);
    return true;
  } catch {
    return false;
  } finally {
    await connection.close().catch(() => {});
  }
}
