/** The Groups page (群): join ways with their QR codes and group welcome templates. */
export { GroupsPage } from './GroupsPage';
export { GroupsNavLink, JoinWaySelect } from './JoinWaySelect';
export { GROUPS_HASH, isGroupsHash } from './route';
