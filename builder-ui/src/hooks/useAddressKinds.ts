import { type AddressKindInfo, listConnectors } from '../api/channels';
import { useRemote } from './useRemote';

const load = async (signal: AbortSignal) => (await listConnectors(signal)).addressKinds;

/**
 * The address kinds the server's connectors declare, with their labels: none while they load or
 * when they cannot be read (addresses then show under their kind's name).
 */
export function useAddressKinds(): readonly AddressKindInfo[] {
  const [kinds] = useRemote('address-kinds', load);
  return kinds.status === 'ready' ? kinds.value : [];
}

/** What operators call an address kind in this locale; the kind's name when it is not declared. */
export function addressLabel(kinds: readonly AddressKindInfo[], name: string, locale: 'en' | 'zh'): string {
  return kinds.find((kind) => kind.name === name)?.label[locale] ?? name;
}
