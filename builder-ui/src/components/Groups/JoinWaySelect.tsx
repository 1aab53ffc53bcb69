import { useId } from 'react';
import { listJoinWays } from '../../api/groups';
import { useLocale } from '../../hooks/useLocale';
import { useRemote } from '../../hooks/useRemote';
import { GROUPS_HASH } from './route';

/**
 * The send step's choice of a join way to invite through (its QR code goes with the message).
 * Only QR join ways are offered: a mini-program button has nothing a message can carry.
 */
export function JoinWaySelect({
  value,
  onChange,
  testId,
}: {
  value: string | undefined;
  onChange: (joinWay: string | undefined) => void;
  testId: string;
}) {
  const {
    t: { groups: w },
  } = useLocale();
  const id = useId();
  const [ways] = useRemote('join-ways', listJoinWays);
  const offered = ways.status === 'ready' ? ways.value.filter((way) => way.qrCode) : [];
  return (
    <div className="field">
      <label htmlFor={id}>{w.inviteLabel}</label>
      <select
        id={id}
        value={value ?? ''}
        onChange={(e) => onChange(e.target.value || undefined)}
        data-testid={testId}
      >
        <option value="">{w.inviteNone}</option>
        {value && !offered.some((way) => way.id === value) && <option value={value}>{value}</option>}
        {offered.map((way) => (
          <option key={way.id} value={way.id}>
            {way.remark ? `${way.remark} (${way.state})` : way.state}
          </option>
        ))}
      </select>
      <p className="field__hint">{w.inviteHint}</p>
    </div>
  );
}

/** The Groups page's entry in the builder's navigation. */
export function GroupsNavLink({ current }: { current: boolean }) {
  const {
    t: { groups: w },
  } = useLocale();
  return (
    <a href={GROUPS_HASH} aria-current={current ? 'page' : undefined} data-testid="nav-groups">
      {w.nav}
    </a>
  );
}
