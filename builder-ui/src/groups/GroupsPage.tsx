import { JoinWayBody, type WelcomeAttachment, WelcomeTemplateBody } from '@sopflow/core/api';
import { Pencil, Plus, Trash2 } from 'lucide-react';
import { type ReactNode, useId, useState } from 'react';
import { ApiError } from '../api/client';
import { IconButton } from '../components/common/IconButton';
import { useRemote } from '../hooks/useRemote';
import type { Locale } from '../locale';
import {
  deleteJoinWay,
  deleteWelcomeTemplate,
  type JoinWay,
  listJoinWays,
  listWelcomeTemplates,
  saveJoinWay,
  saveWelcomeTemplate,
  type WelcomeTemplate,
} from './api';
import { inLocale, useGroupWords } from './words';
import '../components/Contacts/people.css';
import './groups.css';

/** Problems by field path (`chatIds`, `attachment.url`), from the contract's check or the server's answer. */
type Problems = Record<string, string>;

function problemsOf(issues: readonly { path: string; message: string }[], locale: Locale): Problems {
  const found: Problems = {};
  for (const issue of issues) found[issue.path || 'form'] ??= inLocale(issue.message, locale);
  return found;
}

const zodIssues = (error: { issues: { path: PropertyKey[]; message: string }[] }) =>
  error.issues.map((i) => ({ path: i.path.map(String).join('.'), message: i.message }));

/** A save that went wrong: the server's field problems, else its message under the form. */
function failureProblems(error: unknown, locale: Locale, failed: string): Problems {
  if (error instanceof ApiError && Array.isArray(error.details))
    return problemsOf(error.details as { path: string; message: string }[], locale);
  return { form: `${failed} ${inLocale((error as Error).message, locale)}` };
}

/** A labelled control with the problem at its field under it. */
function Field({
  label,
  problem,
  children,
}: {
  label: string;
  problem?: string;
  children: (id: string, invalid: boolean) => ReactNode;
}) {
  const id = useId();
  return (
    <div className="field">
      <label className="field__label" htmlFor={id}>
        {label}
      </label>
      {children(id, problem !== undefined)}
      {problem && <span className="field__error">{problem}</span>}
    </div>
  );
}

/**
 * Groups (群): the join ways that let customers into WeCom customer groups, each with its QR code,
 * and the group welcome templates; each form is checked with the API contract's schema before it
 * is sent, and the server's refusals show at their fields.
 */
export function GroupsPage() {
  const { w } = useGroupWords();
  return (
    <div className="people-page groups-page" data-testid="groups-page">
      <div className="people-page__head">
        <h2>{w.title}</h2>
      </div>
      <p className="muted">{w.intro}</p>
      <JoinWays />
      <WelcomeTemplates />
    </div>
  );
}

interface JoinWayForm {
  remark: string;
  chatIds: string;
  scene: 'qr-code' | 'mini-program';
  autoCreateRoom: boolean;
  roomBaseName: string;
  state: string;
}

const emptyJoinWay: JoinWayForm = {
  remark: '',
  chatIds: '',
  scene: 'qr-code',
  autoCreateRoom: true,
  roomBaseName: '',
  state: '',
};

function joinWayFormOf(way: JoinWay): JoinWayForm {
  return {
    remark: way.remark ?? '',
    chatIds: way.chatIds.join('\n'),
    scene: way.scene,
    autoCreateRoom: way.autoCreateRoom,
    roomBaseName: way.roomBaseName ?? '',
    state: way.state,
  };
}

function joinWayBodyOf(form: JoinWayForm) {
  return {
    scene: form.scene,
    ...(form.remark.trim() ? { remark: form.remark.trim() } : {}),
    chatIds: form.chatIds
      .split(/[\n,，]/)
      .map((id) => id.trim())
      .filter(Boolean),
    autoCreateRoom: form.autoCreateRoom,
    ...(form.autoCreateRoom && form.roomBaseName.trim() ? { roomBaseName: form.roomBaseName.trim() } : {}),
    ...(form.state.trim() ? { state: form.state.trim() } : {}),
  };
}

function JoinWays() {
  const { w, locale } = useGroupWords();
  const [ways, reload] = useRemote('join-ways', listJoinWays);
  const [editing, setEditing] = useState<{ id?: string; form: JoinWayForm }>();
  const [problems, setProblems] = useState<Problems>({});
  const [saving, setSaving] = useState(false);

  const open = (id?: string, form = emptyJoinWay) => {
    setProblems({});
    setEditing({ id, form });
  };
  const set = (patch: Partial<JoinWayForm>) =>
    editing && setEditing({ ...editing, form: { ...editing.form, ...patch } });

  const save = async () => {
    if (!editing) return;
    const parsed = JoinWayBody.safeParse(joinWayBodyOf(editing.form));
    if (!parsed.success) return setProblems(problemsOf(zodIssues(parsed.error), locale));
    setSaving(true);
    try {
      await saveJoinWay(editing.id, joinWayBodyOf(editing.form));
      setEditing(undefined);
      reload();
    } catch (error) {
      setProblems(failureProblems(error, locale, w.failed));
    } finally {
      setSaving(false);
    }
  };

  const remove = async (id: string) => {
    if (!window.confirm(w.confirmDelete)) return;
    try {
      await deleteJoinWay(id);
      reload();
    } catch (error) {
      window.alert(`${w.failed} ${inLocale((error as Error).message, locale)}`);
    }
  };

  return (
    <section className="people-card" data-testid="join-ways">
      <div className="groups-page__section-head">
        <h3>{w.joinWays}</h3>
        {!editing && (
          <button type="button" onClick={() => open()} data-testid="new-join-way">
            <Plus size={14} /> {w.newJoinWay}
          </button>
        )}
      </div>
      <p className="field__hint">{w.joinWaysHint}</p>
      {editing && (
        <form
          className="groups-form"
          data-testid="join-way-form"
          onSubmit={(e) => {
            e.preventDefault();
            void save();
          }}
        >
          <h4>{editing.id ? w.editJoinWay : w.newJoinWay}</h4>
          <Field label={w.remark} problem={problems.remark}>
            {(id, invalid) => (
              <input
                id={id}
                value={editing.form.remark}
                aria-invalid={invalid}
                onChange={(e) => set({ remark: e.target.value })}
                data-testid="join-way-remark"
              />
            )}
          </Field>
          <Field label={w.chatIds} problem={problems.chatIds}>
            {(id, invalid) => (
              <textarea
                id={id}
                rows={3}
                value={editing.form.chatIds}
                aria-invalid={invalid}
                onChange={(e) => set({ chatIds: e.target.value })}
                data-testid="join-way-chat-ids"
              />
            )}
          </Field>
          <Field label={w.scene} problem={problems.scene}>
            {(id) => (
              <select
                id={id}
                value={editing.form.scene}
                onChange={(e) => set({ scene: e.target.value as JoinWayForm['scene'] })}
                data-testid="join-way-scene"
              >
                <option value="qr-code">{w.sceneQr}</option>
                <option value="mini-program">{w.sceneMiniProgram}</option>
              </select>
            )}
          </Field>
          <label className="groups-form__check">
            <input
              type="checkbox"
              checked={editing.form.autoCreateRoom}
              onChange={(e) => set({ autoCreateRoom: e.target.checked })}
            />{' '}
            {w.autoCreateRoom}
          </label>
          {editing.form.autoCreateRoom && (
            <Field label={w.roomBaseName} problem={problems.roomBaseName}>
              {(id, invalid) => (
                <input
                  id={id}
                  value={editing.form.roomBaseName}
                  aria-invalid={invalid}
                  onChange={(e) => set({ roomBaseName: e.target.value })}
                />
              )}
            </Field>
          )}
          <Field label={w.state} problem={problems.state}>
            {(id, invalid) => (
              <input
                id={id}
                value={editing.form.state}
                aria-invalid={invalid}
                onChange={(e) => set({ state: e.target.value })}
                data-testid="join-way-state"
              />
            )}
          </Field>
          {problems.form && <p className="notice notice--error">{problems.form}</p>}
          <div className="groups-form__actions">
            <button type="submit" className="primary" disabled={saving} data-testid="save-join-way">
              {saving ? w.saving : w.save}
            </button>
            <button type="button" onClick={() => setEditing(undefined)}>
              {w.cancel}
            </button>
          </div>
        </form>
      )}
      {ways.status === 'failed' && (
        <p className="notice notice--error">
          {w.loadFailed} {inLocale(ways.error.message, locale)}
        </p>
      )}
      {ways.status === 'ready' && ways.value.length === 0 && <p className="muted">{w.noJoinWays}</p>}
      <div className="join-way-grid">
        {ways.status === 'ready' &&
          ways.value.map((way) => (
            <article key={way.id} className="join-way" data-testid="join-way">
              {way.qrCode ? (
                <img
                  className="join-way__qr"
                  src={`/api/groups/join-ways/${encodeURIComponent(way.id)}/qr-code`}
                  alt={`QR ${way.remark ?? way.id}`}
                  data-testid="join-way-qr"
                />
              ) : (
                <div className="join-way__qr join-way__qr--none">{w.noQr}</div>
              )}
              <div className="join-way__body">
                <strong>{way.remark || way.id}</strong>
                <span className="muted">
                  {way.scene === 'qr-code' ? w.sceneQr : w.sceneMiniProgram} · {w.groups(way.chatIds.length)}
                </span>
                <code>{way.chatIds.join(', ')}</code>
                <span className="muted">
                  state: <code>{way.state}</code>
                </span>
                <span className="muted">
                  id: <code>{way.id}</code>
                </span>
              </div>
              <div className="join-way__actions">
                <IconButton label={w.edit} onClick={() => open(way.id, joinWayFormOf(way))}>
                  <Pencil size={14} />
                </IconButton>
                <IconButton label={w.delete} onClick={() => void remove(way.id)}>
                  <Trash2 size={14} />
                </IconButton>
              </div>
            </article>
          ))}
      </div>
    </section>
  );
}

type AttachmentType = WelcomeAttachment['type'];

/** The fields each attachment type takes, in the order the form shows them; required ones first. */
const ATTACHMENT_FIELDS: Record<AttachmentType, readonly string[]> = {
  image: ['picUrl', 'mediaId'],
  link: ['title', 'url', 'picUrl', 'desc'],
  miniprogram: ['title', 'appId', 'page', 'picMediaId'],
  file: ['mediaId'],
  video: ['mediaId'],
};

interface TemplateForm {
  name: string;
  text: string;
  attachmentType: AttachmentType | '';
  attachment: Record<string, string>;
  notify: boolean;
}

const emptyTemplate: TemplateForm = { name: '', text: '', attachmentType: '', attachment: {}, notify: true };

function templateFormOf(template: WelcomeTemplate): TemplateForm {
  const { type, ...fields } = template.attachment ?? { type: '' as const };
  return {
    name: template.name,
    text: template.text ?? '',
    attachmentType: type,
    attachment: fields as Record<string, string>,
    notify: false,
  };
}

function templateBodyOf(form: TemplateForm) {
  const fields = form.attachmentType
    ? Object.fromEntries(
        ATTACHMENT_FIELDS[form.attachmentType]
          .map((key) => [key, form.attachment[key]?.trim() ?? ''] as const)
          .filter(([, value]) => value !== ''),
      )
    : {};
  return {
    name: form.name.trim(),
    ...(form.text ? { text: form.text } : {}),
    ...(form.attachmentType
      ? { attachment: { type: form.attachmentType, ...fields } as WelcomeAttachment }
      : {}),
    notify: form.notify,
  };
}

function WelcomeTemplates() {
  const { w, locale } = useGroupWords();
  const [templates, reload] = useRemote('welcome-templates', listWelcomeTemplates);
  const [editing, setEditing] = useState<{ id?: string; form: TemplateForm }>();
  const [problems, setProblems] = useState<Problems>({});
  const [saving, setSaving] = useState(false);

  const open = (id?: string, form = emptyTemplate) => {
    setProblems({});
    setEditing({ id, form });
  };
  const set = (patch: Partial<TemplateForm>) =>
    editing && setEditing({ ...editing, form: { ...editing.form, ...patch } });

  const save = async () => {
    if (!editing) return;
    const body = templateBodyOf(editing.form);
    const parsed = WelcomeTemplateBody.safeParse(body);
    if (!parsed.success) return setProblems(problemsOf(zodIssues(parsed.error), locale));
    setSaving(true);
    try {
      await saveWelcomeTemplate(editing.id, body);
      setEditing(undefined);
      reload();
    } catch (error) {
      setProblems(failureProblems(error, locale, w.failed));
    } finally {
      setSaving(false);
    }
  };

  const remove = async (id: string) => {
    if (!window.confirm(w.confirmDelete)) return;
    try {
      await deleteWelcomeTemplate(id);
      reload();
    } catch (error) {
      window.alert(`${w.failed} ${inLocale((error as Error).message, locale)}`);
    }
  };

  const type = editing?.form.attachmentType;
  return (
    <section className="people-card" data-testid="welcome-templates">
      <div className="groups-page__section-head">
        <h3>{w.welcomeTemplates}</h3>
        {!editing && (
          <button type="button" onClick={() => open()} data-testid="new-welcome-template">
            <Plus size={14} /> {w.newTemplate}
          </button>
        )}
      </div>
      <p className="field__hint">{w.welcomeHint}</p>
      {editing && (
        <form
          className="groups-form"
          data-testid="welcome-template-form"
          onSubmit={(e) => {
            e.preventDefault();
            void save();
          }}
        >
          <h4>{editing.id ? w.editTemplate : w.newTemplate}</h4>
          <Field label={w.name} problem={problems.name}>
            {(id, invalid) => (
              <input
                id={id}
                value={editing.form.name}
                aria-invalid={invalid}
                onChange={(e) => set({ name: e.target.value })}
                data-testid="welcome-template-name"
              />
            )}
          </Field>
          <Field label={w.text} problem={problems.text}>
            {(id, invalid) => (
              <textarea
                id={id}
                rows={3}
                value={editing.form.text}
                aria-invalid={invalid}
                onChange={(e) => set({ text: e.target.value })}
                data-testid="welcome-template-text"
              />
            )}
          </Field>
          <Field label={w.attachment} problem={problems.attachment}>
            {(id) => (
              <select
                id={id}
                value={editing.form.attachmentType}
                onChange={(e) => set({ attachmentType: e.target.value as AttachmentType | '' })}
                data-testid="welcome-template-attachment"
              >
                <option value="">{w.attachmentNone}</option>
                {(Object.keys(ATTACHMENT_FIELDS) as AttachmentType[]).map((t) => (
                  <option key={t} value={t}>
                    {w.attachmentTypes[t]}
                  </option>
                ))}
              </select>
            )}
          </Field>
          {type &&
            ATTACHMENT_FIELDS[type].map((key) => (
              <Field
                key={key}
                label={w.attachmentFields[key as keyof typeof w.attachmentFields]}
                problem={problems[`attachment.${key}`]}
              >
                {(id, invalid) => (
                  <input
                    id={id}
                    value={editing.form.attachment[key] ?? ''}
                    aria-invalid={invalid}
                    onChange={(e) =>
                      set({ attachment: { ...editing.form.attachment, [key]: e.target.value } })
                    }
                    data-testid={`welcome-template-${key}`}
                  />
                )}
              </Field>
            ))}
          {!editing.id && (
            <label className="groups-form__check">
              <input
                type="checkbox"
                checked={editing.form.notify}
                onChange={(e) => set({ notify: e.target.checked })}
              />{' '}
              {w.notify}
            </label>
          )}
          {problems.form && <p className="notice notice--error">{problems.form}</p>}
          <div className="groups-form__actions">
            <button type="submit" className="primary" disabled={saving} data-testid="save-welcome-template">
              {saving ? w.saving : w.save}
            </button>
            <button type="button" onClick={() => setEditing(undefined)}>
              {w.cancel}
            </button>
          </div>
        </form>
      )}
      {templates.status === 'failed' && (
        <p className="notice notice--error">
          {w.loadFailed} {inLocale(templates.error.message, locale)}
        </p>
      )}
      {templates.status === 'ready' && templates.value.length === 0 && (
        <p className="muted">{w.noTemplates}</p>
      )}
      {templates.status === 'ready' &&
        templates.value.map((template) => (
          <article key={template.id} className="welcome-template" data-testid="welcome-template">
            <div className="welcome-template__body">
              <strong>{template.name}</strong>
              {template.text && <p className="welcome-template__text">{template.text}</p>}
              {template.attachment && (
                <span className="muted">
                  {w.attachment}: {w.attachmentTypes[template.attachment.type]}
                  {template.attachment.type === 'link' || template.attachment.type === 'miniprogram'
                    ? ` · ${template.attachment.title}`
                    : ''}
                </span>
              )}
            </div>
            <div className="join-way__actions">
              <IconButton label={w.edit} onClick={() => open(template.id, templateFormOf(template))}>
                <Pencil size={14} />
              </IconButton>
              <IconButton label={w.delete} onClick={() => void remove(template.id)}>
                <Trash2 size={14} />
              </IconButton>
            </div>
          </article>
        ))}
    </section>
  );
}
