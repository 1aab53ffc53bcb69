/** The Groups page lives in the URL hash like the rest of the builder: `#/groups`. */
export const GROUPS_HASH = '#/groups';

export const isGroupsHash = (hash: string) => hash === GROUPS_HASH || hash.startsWith(`${GROUPS_HASH}/`);
