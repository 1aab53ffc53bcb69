import type { TagsPort } from '@sopflow/connectors';
import type { ProviderTagRepository } from '../persistence';

/**
 * The tags port of one connector (`JobContext.tags`): its tag catalogs, kept per account, and the
 * contacts' tag changes it has still to hand the provider.
 */
export function tagsPortOf(repository: ProviderTagRepository, connector: string): TagsPort {
  return {
    replaceCatalog: (account, groups) => repository.replaceCatalog(connector, account, groups),
    catalog: async (account) => (await repository.catalogs({ connector, account }))[0]?.groups ?? [],
    pending: (options) => repository.pending(options),
    settle: (contactId, changes) => repository.settle(contactId, changes),
  };
}
