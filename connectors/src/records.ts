/**
 * A connector's own small durable records, by key (e.g. an attempt to create a provider-side task),
 * each with a version for compare-and-set. Kept apart per connector; shared by every worker.
 */
export interface ConnectorRecords {
  get<T = unknown>(key: string): Promise<{ value: T; version: number } | undefined>;
  /**
   * Writes `value` if the record is still at `expectedVersion` (undefined: there is none yet);
   * false when another writer got there first, and nothing is written.
   */
  put(key: string, value: unknown, expectedVersion: number | undefined): Promise<boolean>;
}
