import {
  checkIssues,
  inLocale,
  JoinWayBody,
  type WelcomeAttachment,
  WelcomeTemplateBody,
} from '@sopflow/core/api';
import { Pencil, Plus, Trash2 } from 'lucide-react';
import { type ReactNode, useId, useState } from 'react';
import { ApiError } from '../../api/client';
import {
  deleteJoinWay,
  deleteWelcomeTemplate,
  type JoinWay,
  listJoinWays,
  listWelcomeTemplates,
  saveJoinWay,
  saveWelcomeTemplate,
  type WelcomeTemplate,
} from '../../api/groups';
import { useLocale } from '../../hooks/useLocale';
import { type Remote, useRemote } from '../../hooks/useRemote';
import type { Locale } from '../../locale';
import { IconButton } from '../common/IconButton';
import '../Contacts/people.css';
import './groups.css';

/** Problems by field path (`chatIds`, `attachment.url`), from the contract's check or the server's answer. */
type Problems = Record<string, string>;

function problemsOf(issues: readonly { path: string; message: string }[], locale: Locale): Problems {
  const found: Problems = {};
  for (const issue of issues) found[issue.path || 'form'] ??= inLocale(issue.message, locale);
  return found;
}

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
  const {
    t: { groups: w },
  } = useLocale();
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

/**
 * Editing one kind of kept thing: the form open (new, or an item by id), its problems, saving
 * (checked with the contract's schema first) and deleting, then the list loaded again.
 */
function useKeptEditor<Form>(options: {
  reload: () => void;
  /** The contract's issues with the form, or none. */
  check: (form: Form) => readonly { path: string; message: string }[] | undefined;
  save: (id: string | undefined, form: Form) => Promise<unknown>;
  remove: (id: string) => Promise<void>;
}) {
  const {
    t: { groups: w },
    locale,
  } = useLocale();
  const [editing, setEditing] = useState<{ id?: string; form: Form }>();
  const [problems, setProblems] = useState<Problems>({});
  const [saving, setSaving] = useState(false);
  return {
    editing,
    problems,
    saving,
    open(id: string | undefined, form: Form) {
      setProblems({});
      setEditing({ id, form });
    },
    close: () => setEditing(undefined),
    set: (patch: Partial<Form>) => editing && setEditing({ ...editing, form: { ...editing.form, ...patch } }),
    async save() {
      if (!editing) return;
      const issues = options.check(editing.form);
      if (issues) return setProblems(problemsOf(issues, locale));
      setSaving(true);
      try {
        await options.save(editing.id, editing.form);
        setEditing(undefined);
        options.reload();
      } catch (error) {
        setProblems(failureProblems(error, locale, w.failed));
      } finally {
        setSaving(false);
      }
    },
    async remove(id: string) {
      if (!window.confirm(w.confirmDelete)) return;
      try {
        await options.remove(id);
        options.reload();
      } catch (error) {
        window.alert(`${w.failed} ${inLocale((error as Error).message, locale)}`);
      }
    },
  };
}

/** The form around a kept thing's fields: its title, the problem not at a field, save and cancel. */
function EditFrame({
  title,
  testId,
  editor,
  children,
}: {
  title: string;
  testId: string;
  editor: { problems: Problems; saving: boolean; save: () => Promise<void>; close: () => void };
  children: ReactNode;
}) {
  const {
    t: { groups: w },
  } = useLocale();
  return (
    <form
      className="groups-form"
      data-testid={`${testId}-form`}
      onSubmit={(e) => {
        e.preventDefault();
        void editor.save();
      }}
    >
      <h4>{title}</h4>
      {children}
      {editor.problems.form && <p className="notice notice--error">{editor.problems.form}</p>}
      <div className="groups-form__actions">
        <button type="submit" className="primary" disabled={editor.saving} data-testid={`save-${testId}`}>
          {editor.saving ? w.saving : w.save}
        </button>
        <button type="button" onClick={editor.close}>
          {w.cancel}
        </button>
      </div>
    </form>
  );
}

/** A kept list's section: its title, the button for a new one, its hint, the list as loaded. */
function KeptSection<T>({
  testId,
  title,
  hint,
  newLabel,
  empty,
  items,
  form,
  onNew,
  children,
}: {
  testId: string;
  title: string;
  hint: string;
  newLabel: string;
  empty: string;
  items: Remote<T[]>;
  form: ReactNode;
  onNew: (() => void) | undefined;
  children: (items: T[]) => ReactNode;
}) {
  const {
    t: { groups: w },
    locale,
  } = useLocale();
  return (
    <section className="people-card" data-testid={`${testId}s`}>
      <div className="groups-page__section-head">
        <h3>{title}</h3>
        {onNew && (
          <button type="button" onClick={onNew} data-testid={`new-${testId}`}>
            <Plus size={14} /> {newLabel}
          </button>
        )}
      </div>
      <p className="field__hint">{hint}</p>
      {form}
      {items.status === 'failed' && (
        <p className="notice notice--error">
          {w.loadFailed} {inLocale(items.error.message, locale)}
        </p>
      )}
      {items.status === 'ready' && items.value.length === 0 && <p className="muted">{empty}</p>}
      {items.status === 'ready' && children(items.value)}
    </section>
  );
}

/** Edit and delete, beside a kept thing. */
function ItemActions({ onEdit, onDelete }: { onEdit: () => void; onDelete: () => void }) {
  const {
    t: { groups: w },
  } = useLocale();
  return (
    <div className="join-way__actions">
      <IconButton label={w.edit} onClick={onEdit}>
        <Pencil size={14} />
      </IconButton>
      <IconButton label={w.delete} onClick={onDelete}>
        <Trash2 size={14} />
      </IconButton>
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
  const {
    t: { groups: w },
  } = useLocale();
  const [ways, reload] = useRemote('join-ways', listJoinWays);
  const editor = useKeptEditor<JoinWayForm>({
    reload,
    check: (form) => {
      const parsed = checkIssues(JoinWayBody, joinWayBodyOf(form));
      return parsed.success ? undefined : parsed.issues;
    },
    save: (id, form) => saveJoinWay(id, joinWayBodyOf(form)),
    remove: deleteJoinWay,
  });
  const { editing, problems, set } = editor;
  return (
    <KeptSection
      testId="join-way"
      title={w.joinWays}
      hint={w.joinWaysHint}
      newLabel={w.newJoinWay}
      empty={w.noJoinWays}
      items={ways}
      onNew={editing ? undefined : () => editor.open(undefined, emptyJoinWay)}
      form={
        editing && (
          <EditFrame title={editing.id ? w.editJoinWay : w.newJoinWay} testId="join-way" editor={editor}>
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
          </EditFrame>
        )
      }
    >
      {(list) => (
        <div className="join-way-grid">
          {list.map((way) => (
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
                  {w.stateShown}: <code>{way.state}</code>
                </span>
                <span className="muted">
                  {w.idShown}: <code>{way.id}</code>
                </span>
              </div>
              <ItemActions
                onEdit={() => editor.open(way.id, joinWayFormOf(way))}
                onDelete={() => void editor.remove(way.id)}
              />
            </article>
          ))}
        </div>
      )}
    </KeptSection>
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
  const {
    t: { groups: w },
  } = useLocale();
  const [templates, reload] = useRemote('welcome-templates', listWelcomeTemplates);
  const editor = useKeptEditor<TemplateForm>({
    reload,
    check: (form) => {
      const parsed = checkIssues(WelcomeTemplateBody, templateBodyOf(form));
      return parsed.success ? undefined : parsed.issues;
    },
    save: (id, form) => saveWelcomeTemplate(id, templateBodyOf(form)),
    remove: deleteWelcomeTemplate,
  });
  const { editing, problems, set } = editor;
  const type = editing?.form.attachmentType;
  return (
    <KeptSection
      testId="welcome-template"
      title={w.welcomeTemplates}
      hint={w.welcomeHint}
      newLabel={w.newTemplate}
      empty={w.noTemplates}
      items={templates}
      onNew={editing ? undefined : () => editor.open(undefined, emptyTemplate)}
      form={
        editing && (
          <EditFrame
            title={editing.id ? w.editTemplate : w.newTemplate}
            testId="welcome-template"
            editor={editor}
          >
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
          </EditFrame>
        )
      }
    >
      {(list) =>
        list.map((template) => (
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
            <ItemActions
              onEdit={() => editor.open(template.id, templateFormOf(template))}
              onDelete={() => void editor.remove(template.id)}
            />
          </article>
        ))
      }
    </KeptSection>
  );
}
