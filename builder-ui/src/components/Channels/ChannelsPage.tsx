import { ChevronRight } from 'lucide-react';
import {
  type ChannelsAnswer,
  type ConnectorCatalogue,
  listChannels,
  listConnectors,
} from '../../api/channels';
import { useLocale } from '../../hooks/useLocale';
import { useRemote } from '../../hooks/useRemote';
import { LoadFailed } from '../common/LoadFailed';
import { Table } from '../common/Table';
import { ChannelEditor } from './ChannelEditor';
import { orderChannels } from './recipients';
import './channels.css';

const loadConnectors = (signal: AbortSignal) => listConnectors(signal);
const loadChannels = (signal: AbortSignal) => listChannels(signal);

/**
 * Channels and the connector delivering each: the list on the left, the open channel's
 * connector, config form and test send on the right.
 */
export function ChannelsPage({
  channel,
  onOpen,
}: {
  channel: string | undefined;
  onOpen: (channel: string) => void;
}) {
  const { t } = useLocale();
  const text = useLocale().t.channelsPage;
  const [connectors, reloadConnectors] = useRemote<ConnectorCatalogue>('connectors', loadConnectors);
  const [answer, reloadChannels] = useRemote<ChannelsAnswer>('channels', loadChannels);

  const failed =
    connectors.status === 'failed' ? connectors : answer.status === 'failed' ? answer : undefined;
  if (failed) {
    return (
      <LoadFailed
        what={t.loadFailed}
        error={failed.error}
        onRetry={() => {
          reloadConnectors();
          reloadChannels();
        }}
        className="channels-page__notice"
      />
    );
  }
  if (connectors.status !== 'ready' || answer.status !== 'ready')
    return <p className="pane-message muted">{t.loading}</p>;

  const routes = new Map(answer.value.routes.map((r) => [r.channel, r]));
  const channels = orderChannels([
    ...answer.value.channels,
    ...connectors.value.connectors.flatMap((c) => c.channels),
    ...routes.keys(),
  ]);
  const nameOf = (c: string) => t.channels[c] ?? c;

  return (
    <div className="channels-page" data-testid="channels-page">
      <section className="channels-page__list">
        <h2>{text.title}</h2>
        <p className="field__hint">{text.intro}</p>
        <Table
          className="channels-table"
          columns={[
            t.channel,
            text.connector,
            <span key="configure" className="visually-hidden">
              {text.configure}
            </span>,
          ]}
        >
          <tbody>
            {channels.map((c) => {
              const route = routes.get(c);
              return (
                <tr
                  key={c}
                  aria-current={c === channel ? 'true' : undefined}
                  data-testid={`channel-row-${c}`}
                >
                  <th scope="row">
                    <span>{nameOf(c)}</span> <code className="muted">{c}</code>
                  </th>
                  <td data-testid={`channel-connector-${c}`}>
                    {route ? <code>{route.connector}</code> : <span className="muted">{text.outbox}</span>}
                  </td>
                  <td>
                    <button type="button" onClick={() => onOpen(c)} data-testid={`channel-open-${c}`}>
                      {text.configure} <ChevronRight size={14} />
                    </button>
                  </td>
                </tr>
              );
            })}
          </tbody>
        </Table>
      </section>
      {channel && (
        <ChannelEditor
          key={channel}
          channel={channel}
          channelName={nameOf(channel)}
          route={routes.get(channel)}
          connectors={connectors.value.connectors}
          addressKinds={connectors.value.addressKinds}
          onChanged={reloadChannels}
        />
      )}
    </div>
  );
}
