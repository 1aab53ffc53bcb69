import { type CompileError, Contact, compile, type FlowDocument, type NodeType } from '@sopflow/core';
import { useNodesInitialized, useReactFlow } from '@xyflow/react';
import {
  Activity,
  ChevronsLeft,
  ChevronsRight,
  LayoutDashboard,
  Maximize,
  Maximize2,
  Minimize2,
  Play,
  Redo2,
  Rocket,
  Save,
  Settings,
  Undo2,
} from 'lucide-react';
import { useCallback, useEffect, useMemo, useRef, useState } from 'react';
import { type FlowSummary, getStats } from '../../api/flows';
import {
  addNode,
  type Clipboard,
  copyNodes,
  DEFAULT_NODE_SIZE,
  defaultNode,
  freeSpot,
  insertOnEdge,
  newNodeId,
  type Position,
  pasteNodes,
  pasteOffset,
  removeElements,
} from '../../editor/document';
import { takenEdges, traceMarks } from '../../editor/trace';
import { needsLayout } from '../../editor/untidy-flows';
import { diffMarks, type VersionDiff } from '../../editor/version-diff';
import { watchMarks } from '../../editor/watch';
import { useConnectorCatalogue } from '../../hooks/useAddressKinds';
import { useDebounced } from '../../hooks/useDebounced';
import { type SaveState, useFlowEditor } from '../../hooks/useFlowEditor';
import { useFlowView } from '../../hooks/useFlowView';
import { useLocale } from '../../hooks/useLocale';
import { usePanels } from '../../hooks/usePanels';
import { usePolled } from '../../hooks/usePolled';
import type { Messages } from '../../i18n';
import { stepName } from '../../nodes';
import { IconButton } from '../common/IconButton';
import { FlowActions } from '../FlowActions/FlowActions';
import { FlowCanvas, type SelectRequest } from '../FlowCanvas/FlowCanvas';
import { HistoryPanel } from '../History/HistoryPanel';
import { Inspector } from '../Inspector/Inspector';
import { Palette } from '../Palette/Palette';
import {
  defaultSample,
  PreviewPanel,
  type PreviewRun,
  parseObject,
  type Sample,
  sampleContact,
} from '../Preview/PreviewPanel';
import { ProblemList } from '../ProblemList/ProblemList';
import { PublishDialog } from '../Publish/PublishDialog';
import { SettingsDrawer } from '../Settings/SettingsDrawer';
import { WatchPanel } from '../Watch/WatchPanel';

/** The compiler runs this long after the last change (it is fast; this only spares typing). */
export const COMPILE_MS = 200;
/** How long the preview stands on each step while it plays. */
export const PREVIEW_STEP_MS = 600;

const NO_ERRORS: CompileError[] = [];

/** What a dry-run depends on: everything but where steps sit and what they are called. */
function structureOf(doc: FlowDocument): string {
  return JSON.stringify({ ...doc, name: '', nodes: doc.nodes.map(({ position: _, label: __, ...n }) => n) });
}

function isEditable(target: EventTarget | null): boolean {
  const el = target as HTMLElement | null;
  return !!el && (el.isContentEditable || ['INPUT', 'TEXTAREA', 'SELECT'].includes(el.tagName));
}

function saveText(save: SaveState, t: Messages): string {
  switch (save.status) {
    case 'saved':
      return t.saved;
    case 'dirty':
      return t.unsaved;
    case 'saving':
      return t.saving;
    case 'invalid':
      return t.saveInvalid;
    case 'failed':
      return `${t.saveFailed} ${save.message}`;
  }
}

const SIDE_TABS = ['step', 'preview', 'watch', 'history'] as const;
type SideTab = (typeof SIDE_TABS)[number];

function sideTabName(tab: SideTab, t: Messages): string {
  return { step: t.tabStep, preview: t.tabPreview, watch: t.tabWatch, history: t.tabHistory }[tab];
}

/** A passing note in the corner, in whichever language is on when it shows. */
type Toast =
  | { kind: 'published' | 'unchanged'; version: number }
  | { kind: 'rolledBack'; from: number; to: number };

interface Props {
  initial: FlowDocument;
  summary?: FlowSummary;
  /** The flow was saved or published: the flow list should refresh. */
  onChanged: () => void;
}

/** The flow editor: palette, canvas, problems, the side panel (step form, preview), settings, publish. */
export function Editor({ initial, summary, onChanged }: Props) {
  const { t, locale } = useLocale();
  const editor = useFlowEditor(initial, onChanged);
  const { doc, docRef, update, settle, undo, redo, flush, save } = editor;
  const { screenToFlowPosition, getNodes } = useReactFlow();
  const { fitToView, showOpening } = useFlowView();
  const [panels, togglePanel] = usePanels();

  // Compile errors as the flow is drawn, and those the server answered for this very document.
  const compiledDoc = useDebounced(doc, COMPILE_MS);
  // With the connectors' reach, live errors name contact addresses of kinds nobody declares, as publish does.
  const reach = useConnectorCatalogue()?.reach;
  const compiled = useMemo(() => compile(compiledDoc, reach ? { reach } : {}), [compiledDoc, reach]);
  const pending = compiledDoc !== doc;
  const [server, setServer] = useState<{ doc: FlowDocument; errors: CompileError[] }>();
  const serverErrors = server && server.doc === doc ? server.errors : undefined;
  const errors = useMemo(() => {
    const local = compiled.ok ? NO_ERRORS : compiled.errors;
    if (!serverErrors) return local;
    const seen = new Set(local.map((e) => `${e.code}|${e.nodeId}|${e.edgeId}|${e.message}`));
    return [
      ...local,
      ...serverErrors.filter((e) => !seen.has(`${e.code}|${e.nodeId}|${e.edgeId}|${e.message}`)),
    ];
  }, [compiled, serverErrors]);
  const onServerErrors = useCallback(
    (list: CompileError[]) => setServer({ doc: docRef.current, errors: list }),
    [docRef],
  );

  const [selection, setSelection] = useState<{ nodes: string[]; edges: string[] }>({ nodes: [], edges: [] });
  const selectionRef = useRef(selection);
  selectionRef.current = selection;
  const [selectRequest, setSelectRequest] = useState<SelectRequest>();
  const select = useCallback(
    (ids: string[], view: SelectRequest['view'] = 'keep') =>
      setSelectRequest((r) => ({ ids, view, seq: (r?.seq ?? 0) + 1 })),
    [],
  );
  const [tab, setTab] = useState<SideTab>('step');
  const [sample, setSample] = useState<Sample>(() => defaultSample(locale));
  const [run, setRun] = useState<PreviewRun>();
  const [drawer, setDrawer] = useState(false);
  const [publishing, setPublishing] = useState(false);
  const [toast, setToast] = useState<Toast>();
  const [diff, setDiff] = useState<VersionDiff>();
  const diffOnCanvas = useMemo(() => (diff ? diffMarks(diff) : undefined), [diff]);

  // Watch: a flow with a published version shows its live numbers on the canvas, refreshed by
  // polling; the latest version unless the operator picks an older one (its contacts stay on it).
  const latestWatchable =
    summary && summary.latestVersion !== null && summary.status !== 'draft' && summary.status !== 'archived'
      ? summary.latestVersion
      : null;
  const [pickedVersion, setPickedVersion] = useState<number>();
  const watchedVersion =
    latestWatchable === null
      ? null
      : pickedVersion !== undefined && pickedVersion <= latestWatchable
        ? pickedVersion
        : latestWatchable;
  const [stats] = usePolled(watchedVersion === null ? undefined : `${doc.id}@${watchedVersion}`, (signal) =>
    getStats(doc.id, watchedVersion!, signal),
  );
  const watch = useMemo(() => (stats.value ? watchMarks(stats.value) : undefined), [stats.value]);
  const clipboard = useRef<Clipboard | undefined>(undefined);
  const canvasWrap = useRef<HTMLDivElement>(null);

  // The preview's path on the canvas, while the flow is still the one that ran.
  const structure = useMemo(() => structureOf(doc), [doc]);
  const stale = run !== undefined && run.structure !== structure;
  const marks = useMemo(
    () => (run && !stale ? traceMarks(run.trace, run.shown, run.zone.name) : undefined),
    [run, stale],
  );
  const taken = useMemo(
    () => (run && !stale ? takenEdges(doc, run.trace.steps, run.shown) : undefined),
    [run, stale, doc],
  );
  useEffect(() => {
    if (!run?.playing) return;
    if (run.shown >= run.trace.steps.length) {
      setRun((r) => r && { ...r, playing: false });
      return;
    }
    const timer = setTimeout(() => setRun((r) => r && { ...r, shown: r.shown + 1 }), PREVIEW_STEP_MS);
    return () => clearTimeout(timer);
  }, [run]);

  /** The size each step is drawn at (or will be, before the browser has drawn it). */
  const measuredSizes = useCallback(
    () =>
      new Map(
        getNodes().map((n) => [
          n.id,
          {
            width: n.measured?.width ?? DEFAULT_NODE_SIZE.width,
            height: n.measured?.height ?? DEFAULT_NODE_SIZE.height,
          },
        ]),
      ),
    [getNodes],
  );

  /** Where a step added by click goes: under the selected step, else in view; never on another. */
  const placeForNew = useCallback((): Position => {
    const sizes = measuredSizes();
    const nodes = docRef.current.nodes;
    const anchor = nodes.find((n) => n.id === selectionRef.current.nodes[0]);
    let preferred: Position;
    if (anchor) {
      const height = sizes.get(anchor.id)?.height ?? DEFAULT_NODE_SIZE.height;
      preferred = { x: anchor.position.x, y: anchor.position.y + height + 72 };
    } else {
      const rect = canvasWrap.current?.getBoundingClientRect();
      const at = rect
        ? screenToFlowPosition({ x: rect.left + rect.width / 2, y: rect.top + rect.height / 3 })
        : { x: 0, y: 0 };
      preferred = { x: at.x - DEFAULT_NODE_SIZE.width / 2, y: at.y };
    }
    return freeSpot(nodes, preferred, sizes);
  }, [screenToFlowPosition, docRef, measuredSizes]);

  const addStep = useCallback(
    (type: NodeType, position?: Position) => {
      const id = newNodeId(
        docRef.current.nodes.map((n) => n.id),
        type,
      );
      const node = defaultNode(type, id, position ?? placeForNew(), locale);
      update((d) => addNode(d, node));
      select([id], 'reveal');
      setTab('step');
    },
    [docRef, update, select, placeForNew, locale],
  );

  const insertStep = useCallback(
    (edgeId: string, type: NodeType) => {
      const sizes = measuredSizes();
      const inserted = insertOnEdge(docRef.current, edgeId, type, locale, sizes);
      if (!inserted) return;
      update((d) => insertOnEdge(d, edgeId, type, locale, sizes)?.doc ?? d);
      select([inserted.id], 'reveal');
      setTab('step');
    },
    [docRef, update, select, measuredSizes, locale],
  );

  const copy = useCallback(() => {
    if (selectionRef.current.nodes.length === 0) return;
    clipboard.current = copyNodes(docRef.current, selectionRef.current.nodes);
  }, [docRef]);
  /** Pastes copies beside what they copy and every earlier copy, never on them. */
  const paste = useCallback(
    (clip: Clipboard | undefined = clipboard.current) => {
      if (!clip || clip.nodes.length === 0) return;
      const offset = pasteOffset(docRef.current, clip, measuredSizes());
      const { ids } = pasteNodes(docRef.current, clip, offset);
      update((d) => pasteNodes(d, clip, offset).doc);
      select(ids, 'reveal');
    },
    [docRef, update, select, measuredSizes],
  );
  const duplicate = useCallback(
    () => paste(copyNodes(docRef.current, selectionRef.current.nodes)),
    [docRef, paste],
  );
  const deleteSelection = useCallback(() => {
    const { nodes, edges } = selectionRef.current;
    update((d) => removeElements(d, nodes, edges));
  }, [update]);

  const tidy = useCallback(async () => {
    // The layout library loads on first use, so it does not weigh on opening the builder.
    const { layoutFlow } = await import('../../editor/layout');
    const sizes = measuredSizes();
    update((d) => layoutFlow(d, sizes));
    // Once the canvas has the new positions.
    setTimeout(() => fitToView({ duration: 300 }), 50);
  }, [measuredSizes, update, fitToView]);

  // A flow just made from a template, or one written without positions (through the API), is
  // laid out once its steps are drawn and measured.
  const drawn = useNodesInitialized();
  const laidOut = useRef(false);
  useEffect(() => {
    if (!drawn || laidOut.current) return;
    laidOut.current = true;
    if (!needsLayout(docRef.current)) return;
    void import('../../editor/layout').then(({ layoutFlow }) => {
      const sizes = measuredSizes();
      settle((d) => layoutFlow(d, sizes));
      setTimeout(showOpening, 50);
    });
  }, [drawn, docRef, measuredSizes, settle, showOpening]);

  const focusNode = useCallback(
    (id: string) => {
      select([id], 'fit');
      setTab('step');
    },
    [select],
  );

  // Selecting a step opens its form, unless the panel is showing that step in another light.
  const keepTabRef = useRef(false);
  keepTabRef.current = (tab === 'preview' && run !== undefined) || tab === 'watch' || tab === 'history';
  const onSelectionChange = useCallback((nodes: string[], edges: string[]) => {
    setSelection((s) =>
      s.nodes.join() === nodes.join() && s.edges.join() === edges.join() ? s : { nodes, edges },
    );
    if (nodes.length === 1 && !keepTabRef.current) setTab('step');
  }, []);

  // Keyboard: undo/redo, copy/paste/duplicate, save. Text fields keep their own undo and copy.
  useEffect(() => {
    const onKey = (e: KeyboardEvent) => {
      const mod = e.ctrlKey || e.metaKey;
      if (!mod) return;
      const key = e.key.toLowerCase();
      if (key === 's') {
        e.preventDefault();
        void flush();
        return;
      }
      if (isEditable(e.target) || document.querySelector('dialog[open]')) return;
      if (key === 'z' && !e.shiftKey) {
        e.preventDefault();
        undo();
      } else if ((key === 'z' && e.shiftKey) || key === 'y') {
        e.preventDefault();
        redo();
      } else if (key === 'c') copy();
      else if (key === 'v') paste();
      else if (key === 'd') {
        e.preventDefault();
        duplicate();
      }
    };
    window.addEventListener('keydown', onKey);
    return () => window.removeEventListener('keydown', onKey);
  }, [undo, redo, copy, paste, duplicate, flush]);

  useEffect(() => {
    if (!panels.canvasOnly) return;
    const onKey = (e: KeyboardEvent) => {
      if (e.key === 'Escape' && !document.querySelector('dialog[open]')) togglePanel('canvasOnly', false);
    };
    window.addEventListener('keydown', onKey);
    return () => window.removeEventListener('keydown', onKey);
  }, [panels.canvasOnly, togglePanel]);

  useEffect(() => {
    if (toast === undefined) return;
    const timer = setTimeout(() => setToast(undefined), 8000);
    return () => clearTimeout(timer);
  }, [toast]);

  const renderContext = useMemo(() => {
    const contact = Contact.safeParse(sampleContact(sample));
    return {
      contact: contact.success
        ? contact.data
        : { id: 'preview-contact', attributes: {}, tags: [], points: 0 },
      event: parseObject(sample.event) ?? {},
      lastEvent: null,
      http: {},
      flow: { id: doc.id, name: doc.name, version: summary?.latestVersion ?? 0 },
    };
  }, [sample, doc.id, doc.name, summary?.latestVersion]);

  const blocked = errors.length > 0 || pending;

  return (
    <div
      className={[
        'editor',
        panels.palette ? '' : 'editor--palette-folded',
        panels.side ? '' : 'editor--side-folded',
        panels.canvasOnly ? 'editor--canvas-only' : '',
      ]
        .filter(Boolean)
        .join(' ')}
      data-testid="editor"
      data-flow-id={doc.id}
    >
      <header className="toolbar" data-testid="toolbar">
        <div className="toolbar__flow">
          <button
            type="button"
            className="toolbar__name"
            onClick={() => setDrawer(true)}
            title={t.settings}
            data-testid="flow-name"
          >
            {doc.name}
          </button>
          <code className="muted">{doc.id}</code>
          {summary && (
            <span className={`status status--${summary.status}`} data-testid="flow-status">
              {t.statuses[summary.status]}
              {summary.latestVersion !== null && ` · ${t.version(summary.latestVersion)}`}
            </span>
          )}
        </div>
        <div className="toolbar__group" role="toolbar" aria-label={t.flows}>
          <IconButton
            label={t.undo}
            title={`${t.undo} (Ctrl+Z)`}
            onClick={undo}
            disabled={!editor.canUndo}
            data-testid="undo"
          >
            <Undo2 size={16} />
          </IconButton>
          <IconButton
            label={t.redo}
            title={`${t.redo} (Ctrl+Shift+Z)`}
            onClick={redo}
            disabled={!editor.canRedo}
            data-testid="redo"
          >
            <Redo2 size={16} />
          </IconButton>
          <button type="button" onClick={() => void tidy()} title={t.autoLayout} data-testid="auto-layout">
            <LayoutDashboard size={16} /> {t.autoLayout}
          </button>
          <IconButton label={t.fitView} onClick={() => fitToView({ duration: 300 })} data-testid="fit-view">
            <Maximize size={16} />
          </IconButton>
          <IconButton
            label={panels.canvasOnly ? t.panels.leaveCanvasOnly : t.panels.canvasOnly}
            onClick={() => togglePanel('canvasOnly')}
            aria-pressed={panels.canvasOnly}
            data-testid="canvas-only"
          >
            {panels.canvasOnly ? <Minimize2 size={16} /> : <Maximize2 size={16} />}
          </IconButton>
        </div>
        <div className="toolbar__group toolbar__end">
          <span
            className={`save-state save-state--${save.status}`}
            data-testid="save-status"
            data-status={save.status}
          >
            {saveText(save, t)}
          </span>
          <button
            type="button"
            onClick={() => void flush()}
            disabled={save.status === 'saved' || save.status === 'saving'}
            title={`${t.save} (Ctrl+S)`}
            data-testid="save"
          >
            <Save size={16} /> {t.save}
          </button>
          <FlowActions
            flowId={doc.id}
            flowName={doc.name}
            status={summary?.status}
            onChanged={onChanged}
            onOpenFlow={(id) => {
              window.location.hash = `#/flows/${encodeURIComponent(id)}`;
            }}
          />
          <button type="button" onClick={() => setDrawer(true)} data-testid="open-settings">
            <Settings size={16} /> {t.settings}
          </button>
          <button
            type="button"
            onClick={() => {
              setTab('preview');
              togglePanel('side', true);
              togglePanel('canvasOnly', false);
            }}
            aria-pressed={tab === 'preview'}
            data-testid="open-preview"
          >
            <Play size={16} /> {t.preview}
          </button>
          <button
            type="button"
            className="primary"
            onClick={() => setPublishing(true)}
            disabled={blocked}
            title={blocked ? t.publishBlocked : t.publish}
            data-testid="publish"
          >
            <Rocket size={16} /> {t.publish}
          </button>
        </div>
      </header>
      {!panels.canvasOnly && (
        <Palette
          onAdd={(type) => addStep(type)}
          folded={!panels.palette}
          onFold={() => togglePanel('palette')}
        />
      )}
      <div className="editor__center" ref={canvasWrap}>
        <FlowCanvas
          doc={doc}
          errors={errors}
          trace={marks}
          takenEdges={taken}
          watch={watch}
          diff={tab === 'history' ? diffOnCanvas : undefined}
          update={update}
          addStep={addStep}
          insertStep={insertStep}
          onSelectionChange={onSelectionChange}
          selectRequest={selectRequest}
        />
        {!panels.canvasOnly && (
          <>
            <p className="shortcuts muted" title={t.shortcuts}>
              {t.shortcuts}
            </p>
            <ProblemList
              errors={errors}
              warnings={editor.warnings}
              stepNameOf={(id) => stepName(doc.nodes.find((n) => n.id === id) ?? { id, type: '' }, locale)}
              server={serverErrors !== undefined}
              onFocusNode={focusNode}
              folded={!panels.problems}
              onFold={() => togglePanel('problems')}
            />
          </>
        )}
      </div>
      {panels.canvasOnly ? null : !panels.side ? (
        <aside className="side side--folded" data-testid="side-panel" data-folded="true">
          <IconButton
            label={t.panels.showPanel}
            onClick={() => togglePanel('side', true)}
            aria-expanded={false}
            data-testid="fold-side"
          >
            <ChevronsLeft size={16} />
          </IconButton>
        </aside>
      ) : (
        <aside className="side" data-testid="side-panel">
          <div className="tabs" role="tablist">
            {SIDE_TABS.map((name) => (
              <button
                key={name}
                type="button"
                role="tab"
                aria-selected={tab === name}
                onClick={() => setTab(name)}
                data-testid={`tab-${name}`}
              >
                {name === 'watch' ? (
                  <>
                    <Activity size={14} aria-hidden="true" /> {t.tabWatch}
                  </>
                ) : (
                  sideTabName(name, t)
                )}
              </button>
            ))}
            <IconButton
              label={t.panels.hidePanel}
              onClick={() => togglePanel('side', false)}
              aria-expanded
              data-testid="fold-side"
            >
              <ChevronsRight size={16} />
            </IconButton>
          </div>
          <div className="side__body" role="tabpanel">
            {tab === 'step' ? (
              <Inspector
                doc={doc}
                selected={selection.nodes}
                errors={errors}
                update={update}
                renderContext={renderContext}
                onDelete={deleteSelection}
                onDuplicate={duplicate}
                onRenamed={(id) => select([id])}
              />
            ) : tab === 'watch' ? (
              <WatchPanel
                doc={doc}
                version={watchedVersion}
                latestVersion={latestWatchable}
                onPickVersion={(v) => setPickedVersion(v === latestWatchable ? undefined : v)}
                stats={stats}
                selectedNode={selection.nodes.length === 1 ? selection.nodes[0] : undefined}
              />
            ) : tab === 'history' ? (
              <HistoryPanel
                flowId={doc.id}
                latestVersion={summary?.latestVersion ?? null}
                onDiff={setDiff}
                onRolledBack={(from, to) => {
                  setToast({ kind: 'rolledBack', from, to });
                  onChanged();
                }}
              />
            ) : (
              <PreviewPanel
                doc={doc}
                stale={stale}
                blocked={blocked}
                sample={sample}
                setSample={setSample}
                run={run}
                setRun={setRun}
                flush={flush}
                structure={structure}
                onServerErrors={onServerErrors}
                onFocusNode={(id) => select([id], 'fit')}
              />
            )}
          </div>
        </aside>
      )}
      {drawer && (
        <SettingsDrawer doc={doc} errors={errors} update={update} onClose={() => setDrawer(false)} />
      )}
      {publishing && (
        <PublishDialog
          flowId={doc.id}
          flush={flush}
          onServerErrors={onServerErrors}
          onClose={() => setPublishing(false)}
          onPublished={(version, unchanged) => {
            setToast({ kind: unchanged ? 'unchanged' : 'published', version });
            onChanged();
          }}
        />
      )}
      {toast !== undefined && (
        <div className="toast" role="status" data-testid="toast">
          {toast.kind === 'rolledBack'
            ? t.rolledBack(toast.from, toast.to)
            : toast.kind === 'unchanged'
              ? t.publishedUnchanged(toast.version)
              : t.published(toast.version)}
        </div>
      )}
    </div>
  );
}
