import type {
  JoinWay,
  JoinWayBody,
  WelcomeTemplate,
  WelcomeTemplateBody,
  WelcomeTemplateEdit,
} from '@sopflow/core/api';
import { answer, api } from './client';

/** Join ways and group welcome templates (engine/server/src/api/routes/groups.ts). */

export type { JoinWay, JoinWayBody, WelcomeTemplate, WelcomeTemplateBody } from '@sopflow/core/api';

const byId = (id: string) => ({ params: { path: { id } } });

export async function listJoinWays(signal?: AbortSignal): Promise<JoinWay[]> {
  return (await answer(api.GET('/api/groups/join-ways', { signal }))).joinWays;
}

/** Creates it at WeCom, or edits the one `id` names. */
export async function saveJoinWay(id: string | undefined, body: JoinWayBody): Promise<JoinWay> {
  return id
    ? answer(api.PUT('/api/groups/join-ways/{id}', { ...byId(id), body }))
    : answer(api.POST('/api/groups/join-ways', { body }));
}

export async function deleteJoinWay(id: string): Promise<void> {
  await answer(api.DELETE('/api/groups/join-ways/{id}', byId(id)));
}

export async function listWelcomeTemplates(signal?: AbortSignal): Promise<WelcomeTemplate[]> {
  return (await answer(api.GET('/api/groups/welcome-templates', { signal }))).welcomeTemplates;
}

export async function saveWelcomeTemplate(
  id: string | undefined,
  body: WelcomeTemplateBody,
): Promise<WelcomeTemplate> {
  if (!id) return answer(api.POST('/api/groups/welcome-templates', { body }));
  const { notify: _told, ...edit } = body;
  return answer(
    api.PUT('/api/groups/welcome-templates/{id}', { ...byId(id), body: edit satisfies WelcomeTemplateEdit }),
  );
}

export async function deleteWelcomeTemplate(id: string): Promise<void> {
  await answer(api.DELETE('/api/groups/welcome-templates/{id}', byId(id)));
}
