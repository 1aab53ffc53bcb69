import { type AddressKindInfo, type ConnectorCatalogue, listConnectors } from '../api/channels';
import { useRemote } from './useRemote';

/** The connectors and the address kinds they declare, or undefined while they load or cannot be read. */
export function useConnectorCatalogue(): ConnectorCatalogue | undefined {
  const [catalogue] = useRemote('connector-catalogue', listConnectors);
  return catalogue.status === 'ready' ? catalogue.value : undefined;
}

/**
 * The address kinds the server's connectors declare, with their labels: none while they load or
 * when they cannot be read (addresses then show under their kind's name).
 */
export function useAddressKinds(): readonly AddressKindInfo[] {
  return useConnectorCatalogue()?.addressKinds ?? NONE;
}

const NONE: readonly AddressKindInfo[] = [];

/** What operators call an address kind in this locale; the kind's name when it is not declared. */
export function addressLabel(kinds: readonly AddressKindInfo[], name: string, locale: 'en' | 'zh'): string {
  return kinds.find((kind) => kind.name === name)?.label[locale] ?? name;
}
